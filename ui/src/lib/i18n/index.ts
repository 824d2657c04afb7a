// Owns the UI's language: the message catalogues (en, ru, de, fr, es; i18next, with plurals and
// interpolation), which one is in use (the OS's through navigator.languages unless the user chose
// one in Settings, kept in localStorage) and `t`, which re-renders what reads it when that changes.
// The root element's lang attribute follows. Errors from the backend are shown as they come.
import i18next from 'i18next';
import { createSubscriber } from 'svelte/reactivity';
import en from './en.json';
import ru from './ru.json';
import de from './de.json';
import fr from './fr.json';
import es from './es.json';

export const CATALOGUES = { en, ru, de, fr, es };
export type Language = keyof typeof CATALOGUES;
export const LANGUAGES = Object.keys(CATALOGUES) as Language[];
/** Each language named in itself, for the Settings select. */
export const LANGUAGE_NAMES: Record<Language, string> = {
  en: 'English', ru: 'Русский', de: 'Deutsch', fr: 'Français', es: 'Español',
};
export type LanguageChoice = Language | 'system';

declare module 'i18next' {
  interface CustomTypeOptions {
    resources: { translation: typeof en };
    interpolationFormatTypeMap: { lowercase: string };
  }
}

const STORAGE_KEY = 'tidings.language';
const preferred = (): readonly string[] => (typeof navigator === 'undefined' ? [] : navigator.languages ?? [navigator.language]);
const isLanguage = (value: unknown): value is Language => LANGUAGES.includes(value as Language);
const base = (tag: string) => tag.toLowerCase().split(/[-_]/)[0];

/** The first of the user's preferred languages that the UI speaks (de-AT → de), else English. */
export function systemLanguage(tags: readonly string[] = preferred()): Language {
  return tags.map(base).find(isLanguage) ?? 'en';
}

function storedChoice(): LanguageChoice {
  try {
    const stored = localStorage.getItem(STORAGE_KEY);
    return isLanguage(stored) ? stored : 'system';
  } catch {
    return 'system';
  }
}

let choice: LanguageChoice = storedChoice();

void i18next.init({
  lng: choice === 'system' ? systemLanguage() : choice,
  fallbackLng: 'en',
  resources: Object.fromEntries(LANGUAGES.map((lng) => [lng, { translation: CATALOGUES[lng] }])),
  initAsync: false,
  // Svelte escapes what it renders.
  interpolation: { escapeValue: false },
});
i18next.services.formatter?.add('lowercase', (value: string, lng) => value.toLocaleLowerCase(lng));

const setRootLang = () => {
  if (typeof document !== 'undefined') document.documentElement.lang = i18next.language;
};
setRootLang();
i18next.on('languageChanged', setRootLang);

const subscribe = createSubscriber((update) => {
  i18next.on('languageChanged', update);
  return () => i18next.off('languageChanged', update);
});

/** A translated string; read in a template or $derived, it is read again when the language changes. */
// Typed as i18next.t (keys and placeholders checked against en.json); it only adds the subscription.
export const t = ((...args: unknown[]) => {
  subscribe();
  return (i18next.t as unknown as (...all: unknown[]) => unknown)(...args);
}) as unknown as typeof i18next.t;

/** The language in use. */
export function language(): Language {
  subscribe();
  return isLanguage(i18next.language) ? i18next.language : 'en';
}

/** What the user chose in Settings: a language, or to follow the system. */
export function languageChoice(): LanguageChoice {
  subscribe();
  return choice;
}

/** Switches the UI at once and remembers the choice. */
export function setLanguageChoice(next: LanguageChoice): void {
  choice = next;
  try {
    if (next === 'system') localStorage.removeItem(STORAGE_KEY);
    else localStorage.setItem(STORAGE_KEY, next);
  } catch {
    // Not remembered (storage off): the choice still holds for this window.
  }
  void i18next.changeLanguage(next === 'system' ? systemLanguage() : next);
}

/** The locale for dates: the system's own tag (en-GB, de-AT) when it is the language in use. */
export function dateLocale(): string {
  const lng = language();
  return (choice === 'system' ? preferred().find((tag) => base(tag) === lng) : undefined) ?? lng;
}

// The OS language changed while following it.
if (typeof window !== 'undefined') {
  window.addEventListener('languagechange', () => {
    if (choice === 'system') void i18next.changeLanguage(systemLanguage());
  });
}
