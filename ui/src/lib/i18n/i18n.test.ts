import { afterEach, describe, expect, it, vi } from 'vitest';
import { CATALOGUES, LANGUAGES, dateLocale, language, languageChoice, setLanguageChoice, systemLanguage, t } from './index';
import { listDate } from '../format';

type Tree = { [key: string]: string | Tree };
const PLURAL = /_(zero|one|two|few|many|other)$/;

/** Every string of a catalogue by its dotted path. */
function strings(tree: Tree, prefix = ''): Map<string, string> {
  const found = new Map<string, string>();
  for (const [key, value] of Object.entries(tree)) {
    if (typeof value === 'string') found.set(prefix + key, value);
    else for (const [path, text] of strings(value, `${prefix}${key}.`)) found.set(path, text);
  }
  return found;
}
const en = strings(CATALOGUES.en);
/** Keys without their plural suffix: plural forms differ by language. */
const stems = (keys: Iterable<string>) => new Set([...keys].map((key) => key.replace(PLURAL, '')));
const placeholders = (text: string) => new Set([...text.matchAll(/{{\s*([\w]+)/g)].map((match) => match[1]));

afterEach(() => {
  setLanguageChoice('system');
  vi.restoreAllMocks();
});

describe.each(LANGUAGES.filter((lng) => lng !== 'en'))('the %s catalogue', (lng) => {
  const own = strings(CATALOGUES[lng]);

  it('has exactly the keys of en.json', () => {
    expect([...stems(own.keys())].sort()).toEqual([...stems(en.keys())].sort());
  });

  it('has exactly the plural forms the language needs', () => {
    const categories = new Intl.PluralRules(lng).resolvedOptions().pluralCategories;
    for (const stem of stems([...en.keys()].filter((key) => PLURAL.test(key)))) {
      const forms = [...own.keys()].filter((key) => key.replace(PLURAL, '') === stem).map((key) => key.match(PLURAL)![1]);
      expect(forms.sort(), stem).toEqual([...categories].sort());
    }
  });

  it('keeps every placeholder of the English text', () => {
    for (const [key, text] of own) {
      const english = en.get(key) ?? en.get(key.replace(PLURAL, '_other'));
      expect(english, key).toBeDefined();
      expect([...placeholders(text)].sort(), key).toEqual([...placeholders(english!)].sort());
    }
  });
});

describe('plurals', () => {
  it('picks the three Russian forms', () => {
    const ru = (key: 'header.unread' | 'list.matches' | 'message.quoted', count: number) => t(key, { count, lng: 'ru' });
    expect([1, 3, 5, 21].map((count) => ru('header.unread', count)))
      .toEqual(['1 непрочитанное', '3 непрочитанных', '5 непрочитанных', '21 непрочитанное']);
    expect([1, 3, 5, 21].map((count) => ru('list.matches', count)))
      .toEqual(['1 совпадение', '3 совпадения', '5 совпадений', '21 совпадение']);
    expect([1, 3, 5, 21].map((count) => ru('message.quoted', count)))
      .toEqual(['1 цитируемое письмо', '3 цитируемых письма', '5 цитируемых писем', '21 цитируемое письмо']);
  });

  it('says 1 match and 4 matches in English', () => {
    expect(t('list.matches', { count: 1 })).toBe('1 match');
    expect(t('list.matches', { count: 4 })).toBe('4 matches');
  });
});

describe('the language', () => {
  it('follows the first preferred language the UI speaks, else English', () => {
    expect(systemLanguage(['de-AT', 'en'])).toBe('de');
    expect(systemLanguage(['pt-BR', 'fr-CA'])).toBe('fr');
    expect(systemLanguage(['pt-BR', 'pt'])).toBe('en');
    expect(systemLanguage([])).toBe('en');
  });

  it('follows navigator.languages until the user chooses one, and remembers the choice', () => {
    vi.spyOn(navigator, 'languages', 'get').mockReturnValue(['de-AT', 'de']);
    setLanguageChoice('system');
    expect(language()).toBe('de');
    expect(dateLocale()).toBe('de-AT');
    expect(document.documentElement.lang).toBe('de');
    expect(t('header.settings')).toBe('Einstellungen');

    setLanguageChoice('es');
    expect(languageChoice()).toBe('es');
    expect(localStorage.getItem('tidings.language')).toBe('es');
    expect(t('header.unread', { count: 3 })).toBe('3 sin leer');

    vi.spyOn(navigator, 'languages', 'get').mockReturnValue(['pt-BR']);
    setLanguageChoice('system');
    expect(localStorage.getItem('tidings.language')).toBeNull();
    expect(language()).toBe('en');
    expect(document.documentElement.lang).toBe('en');
  });

  it('writes list dates in the chosen language', () => {
    const now = new Date(2024, 4, 15, 12, 0, 0);
    const january = Math.floor(new Date(2024, 0, 2).getTime() / 1000);
    setLanguageChoice('de');
    expect(listDate(january, now)).toBe('2. Jan.');
    setLanguageChoice('fr');
    expect(listDate(january, now)).toBe('2 janv.');
  });
});
