// The only module that talks to the Rust side: one typed function per command.
// Types mirror src-tauri/commands.rs and src-tauri/error.rs.
import { invoke } from '@tauri-apps/api/core';
import { listen, type UnlistenFn } from '@tauri-apps/api/event';

export interface MessageRef {
  account: string;
  mailbox: string;
  uidValidity: number;
  uid: number;
}

export type Security = 'tls' | 'starttls' | 'plain';

/** An account's IMAP server (never its password). */
export interface ServerView {
  host: string;
  port: number;
  security: Security;
  username: string;
  certificateSha256: string | null;
}

/** The IMAP dialect a server speaks, and why we think so. */
export interface DialectView {
  name: string;
  evidence: string[];
}

export interface AccountView {
  id: string;
  displayName: string;
  email: string;
  isDemo: boolean;
  mailboxes: string[];
  /** The server's folders as of the last whole-account sync, INBOX first; empty before it. */
  folders?: FolderView[];
  /** Missing for the demo (and in older answers). */
  server?: ServerView | null;
  dialect?: DialectView | null;
  /** The visual-voicemail box its STATUS SMS described; null for mail accounts. */
  voicemail?: VoicemailBoxView | null;
}

/** A visual-voicemail box's limits, from the carrier's STATUS SMS. */
export interface VoicemailBoxView {
  declaredDialect: string;
  languages: string[];
  maxGreetingSeconds: number | null;
  maxVoiceSignatureSeconds: number | null;
  /** [min, max] digits of the TUI password. */
  tuiPasswordLength: [number, number] | null;
  tuiNumber: string | null;
  passwordChangeSupported: boolean | null;
  greetingChangeSupported: boolean | null;
}

/** The "Add account" form as a pasted STATUS SMS fills it. */
export interface StatusSmsFill {
  email: string;
  password: string;
  host: string;
  port: number | null;
  security: Security;
  username: string | null;
  voicemail: VoicemailBoxView;
}

export type FolderRole = 'inbox' | 'sent' | 'drafts' | 'trash' | 'junk' | 'archive' | 'all' | 'flagged';

export interface FolderView {
  /** As the server spells it (what listMessages takes). */
  name: string;
  displayName: string;
  role: FolderRole | null;
  selectable: boolean;
  unread: number;
  total: number;
}

/** One step of a whole-account sync. */
export interface SyncProgress {
  account: string;
  folder: string;
  foldersDone: number;
  foldersTotal: number;
  messagesDone: number;
  messagesTotal: number;
  /** Bodies fetched after the headers (a sync caches headers first); 0 of 0 until that step. */
  bodiesDone: number;
  bodiesTotal: number;
}

export interface AccountSyncView {
  synced: number;
  new: number;
  failed: { folder: string; error: string }[];
  cancelled: boolean;
}

/** Syncs every folder of an account; progress comes as `sync-progress` events. */
export const syncAllFolders = (id: string) => invoke<AccountSyncView>('sync_all_folders', { id });

/** Stops a running whole-account sync after the batch it is writing. */
export const cancelSync = (id: string) => invoke<boolean>('cancel_sync', { id });

export const onSyncProgress = (handler: (event: SyncProgress) => void): Promise<UnlistenFn> =>
  listen<SyncProgress>('sync-progress', (event) => handler(event.payload));

/** The server typed under "Manual settings". */
export interface ServerInput {
  host: string;
  port: number | null;
  security: Security;
  username: string | null;
}

export interface AddAccountRequest {
  email: string;
  password: string;
  server: ServerInput | null;
  /** A certificate fingerprint (AB:CD:…) the user chose to trust. */
  acceptCertificate: string | null;
  /** The STATUS SMS the form was filled from, for the voicemail box's dialect and limits. */
  statusSms: string | null;
}

export interface AddedAccount {
  account: AccountView;
  dialect: DialectView;
  /** The RFC 2971 ID fields we advertised, in order. */
  clientId: { key: string; value: string }[];
  /** 'shipped' | 'document' | 'guess' when autoconfig found the server. */
  foundBy: string | null;
}

export interface SyncCounts {
  mailbox: string;
  new: number;
  changed: number;
  expunged: number;
  messages: number;
  dialect: string;
}

export type VoicemailKind = 'voice' | 'video' | 'fax' | 'missed-call';

export interface MessageRow {
  message: MessageRef;
  sender: string;
  senderEmail: string | null;
  subject: string;
  date: number | null;
  preview: string;
  seen: boolean;
  /** Starred (\Flagged). */
  flagged: boolean;
  attachments: number;
  voicemail: VoicemailKind | null;
  /** The conversation it belongs to; null for a message without one. */
  thread: string | null;
}

/** A quote header as the mask engine read it (depth 1 = the most recent quoted message). */
export interface QuoteView {
  depth: number;
  kind: 'reply' | 'forward';
  name: string | null;
  email: string | null;
  date: string | null;
  time: string | null;
  utcOffset: string | null;
  source: string;
  mask: string;
}

/** The voicemail part of an opened message; its audio comes from voicemailAudio. */
export interface VoicemailView {
  kind: 'voice' | 'video' | 'fax' | 'missed-call' | 'number' | 'infotainment';
  caller: string | null;
  /** The number written for people (`+1 555-123-4567`). */
  callerDisplay: string | null;
  /** The caller's name, when the carrier sent one. */
  callerName: string | null;
  callerWithheld: boolean;
  callback: string | null;
  /** Whole seconds, as the headers claim. */
  declaredDuration: number | null;
  /** Seconds, measured from the audio; null without playable audio. */
  duration: number | null;
  hasAudio: boolean;
  transcription: string | null;
  /** Fax only. */
  faxPages: number | null;
  /** Fax pages `faxPage` can show as images. */
  faxImages: number;
  /** The fax is (also) a PDF, for `exportFaxPdf`. */
  hasPdf: boolean;
  importance: 'low' | 'normal' | 'high' | null;
}

export interface MessageView {
  row: MessageRow;
  to: string;
  /** The body with uniform header blocks (the message's own first), for a sandboxed frame. */
  bodyDocument: string;
  quotes: QuoteView[];
  /** Missing or null for ordinary mail. */
  voicemail?: VoicemailView | null;
  /** Remote images blocked (shown as placeholders), or allowed to load. */
  remoteImages: { blocked: number; allowed: boolean };
  /** Only the header is cached yet (headers come first in a sync); `fetchBody` brings the rest. */
  bodyMissing: boolean;
}

export type ErrorCode =
  | 'not_found'
  | 'cache'
  | 'invalid_input'
  | 'wrong_password'
  | 'untrusted_certificate'
  | 'unreachable'
  | 'plaintext_refused'
  | 'keyring'
  | 'server'
  | 'audio'
  | 'link_refused'
  | 'browser'
  | 'refused';

export interface IpcError {
  code: ErrorCode;
  message: string;
  /** The certificate's SHA-256 (AB:CD:…) with untrusted_certificate. */
  fingerprint?: string;
}

/** Turns whatever a failed invoke threw into an IpcError the UI can show. */
export function asIpcError(thrown: unknown): IpcError {
  if (thrown && typeof thrown === 'object' && 'code' in thrown && 'message' in thrown) {
    return thrown as IpcError;
  }
  return { code: 'cache', message: String(thrown) };
}

export const listAccounts = () => invoke<AccountView[]>('list_accounts');

export const addAccount = (request: AddAccountRequest) => invoke<AddedAccount>('add_account', { ...request });

/** Used of limit (storage in KiB). */
export interface Usage {
  used: number;
  limit: number;
}

export interface GreetingView {
  uid: number;
  /** `normal-greeting`, `voice-signature`, `busy-greeting`, … */
  kind: string;
  active: boolean;
  duration: number | null;
  hasAudio: boolean;
}

export interface VoicemailBoxStatus {
  dialect: string;
  storage: Usage | null;
  messages: Usage | null;
  hasGreetings: boolean;
  greetings: GreetingView[];
}

export const voicemailBox = (account: string) => invoke<VoicemailBoxStatus>('voicemail_box', { account });

export const greetingAudio = (account: string, uid: number) =>
  invoke<ArrayBuffer>('greeting_audio', { account, uid });

export const activateGreeting = (account: string, uid: number) => invoke<void>('activate_greeting', { account, uid });

export const deleteGreeting = (account: string, uid: number) => invoke<void>('delete_greeting', { account, uid });

/** The audio file goes as the raw request body; what it is goes in headers. */
export const uploadGreeting = (account: string, kind: string, activate: boolean, audio: ArrayBuffer) =>
  invoke<number | null>('upload_greeting', audio, {
    headers: { account: encodeURIComponent(account), kind, activate: String(activate) },
  });

export const changeVoicemailPin = (account: string, oldPin: string, newPin: string) =>
  invoke<void>('change_voicemail_pin', { account, oldPin, newPin });

export const changeVoicemailLanguage = (account: string, language: string) =>
  invoke<void>('change_voicemail_language', { account, language });

export const readStatusSms = (text: string) => invoke<StatusSmsFill>('read_status_sms', { text });

export const removeAccount = (id: string) => invoke<void>('remove_account', { id });

export const syncAccount = (id: string, mailbox: string) => invoke<SyncCounts>('sync_account', { id, mailbox });

/** One page of a mailbox, newest first, with its counts. */
export interface MessagePage {
  /** Messages in the mailbox, or matching the search. */
  total: number;
  unread: number;
  /** Where `rows[0]` sits in the whole list. */
  offset: number;
  rows: MessageRow[];
}

export interface ListRequest {
  offset?: number;
  limit?: number;
  /** Words that must all be in the sender or the subject; the first 500 matches come back. */
  query?: string;
}

export const listMessages = (account: string, mailbox: string, request: ListRequest = {}) =>
  invoke<MessagePage>('list_messages', { account, mailbox, ...request });

/** Fetches the body of a message cached header-only; false when the server no longer has it. */
export const fetchBody = (message: MessageRef) => invoke<boolean>('fetch_body', { message });

/** The tray menu's words, in the UI's language. */
export const setTrayWords = (words: { show: string; quit: string }) => invoke<void>('set_tray_words', { words });

/** The words on the toggle above each quote of a message body, in the UI's language. */
export interface QuoteToggle {
  hide: string;
  show: string;
}

/** Opens a message; `allowRemoteImages` loads its remote images this once. */
export const openMessage = (message: MessageRef, allowRemoteImages = false, quoteToggle?: QuoteToggle) =>
  invoke<MessageView>('open_message', { message, allowRemoteImages, quoteToggle });

/** The voicemail's audio as WAV bytes (sent raw, not as JSON). */
export const voicemailAudio = (message: MessageRef) => invoke<ArrayBuffer>('voicemail_audio', { message });

/** Page `index` (from 0) of a fax, as PNG bytes. */
export const faxPage = (message: MessageRef, index: number) => invoke<ArrayBuffer>('fax_page', { message, index });

/** Saves the fax's PDF in the Downloads folder; resolves to the file's path. */
export const exportFaxPdf = (message: MessageRef) => invoke<string>('export_fax_pdf', { message });

/** Saves the voicemail as WAV in the Downloads folder; resolves to the file's path. */
export const exportVoicemailWav = (message: MessageRef) => invoke<string>('export_voicemail_wav', { message });

export const setSeen = (message: MessageRef, seen: boolean) => invoke<void>('set_seen', { message, seen });

export const setFlagged = (message: MessageRef, flagged: boolean) => invoke<void>('set_flagged', { message, flagged });

/** Leaves the list at once; the next sync moves it to Trash (or expunges it there). */
export const deleteMessage = (message: MessageRef) => invoke<void>('delete_message', { message });

export const moveMessage = (message: MessageRef, to: string) => invoke<void>('move_message', { message, to });

export interface ThreadRowView {
  thread: string;
  /** The newest message of the thread in this folder. */
  latest: MessageRow;
  count: number;
  unread: number;
  participants: string[];
}

export interface ThreadPageView {
  total: number;
  offset: number;
  rows: ThreadRowView[];
}

export const listThreads = (account: string, mailbox: string, offset: number, limit: number) =>
  invoke<ThreadPageView>('list_threads', { account, mailbox, offset, limit });

/** A conversation's messages across the account's folders, oldest first. */
export const threadMessages = (account: string, thread: string) =>
  invoke<MessageRow[]>('thread_messages', { account, thread });

export function sameMessage(a: MessageRef, b: MessageRef): boolean {
  return a.account === b.account && a.mailbox === b.mailbox && a.uidValidity === b.uidValidity && a.uid === b.uid;
}

// The mask settings panel (src-tauri/mask_commands.rs).

export type MaskListName = 'attributions' | 'forward_separators' | 'reply_separators' | 'dates' | 'times';

export interface MaskSetView {
  id: string;
  name: string;
  /** Enabled patterns. */
  masks: number;
  /** A user file replaces or adds this language. */
  edited: boolean;
  /** Tidings ships it: reset goes back to the shipped file (otherwise reset removes it). */
  shipped: boolean;
}

export interface MaskSettingsView {
  sets: MaskSetView[];
  /** User files that failed to load at start, as "file:line: reason". */
  problems: string[];
}

export interface MaskEntry {
  pattern: string;
  enabled: boolean;
}

export interface MaskListView {
  list: MaskListName;
  entries: MaskEntry[];
}

export interface MaskFileView {
  id: string;
  text: string;
  lists: MaskListView[];
}

export type MaskEdit =
  | { action: 'set'; list: MaskListName; index: number; pattern: string }
  | { action: 'add'; list: MaskListName; pattern: string }
  | { action: 'remove'; list: MaskListName; index: number }
  | { action: 'set_enabled'; list: MaskListName; index: number; enabled: boolean };

export type PreviewSample = { kind: 'text'; text: string } | { kind: 'message'; message: MessageRef };

export interface MaskPreview {
  /** The draft does not compile: where and why. */
  problem: { line: number | null; message: string } | null;
  lists: MaskListView[];
  quotes: QuoteView[];
  /** 'draft': the edited masks matched; 'saved': only the saved masks of all languages did. */
  matchedBy: 'draft' | 'saved' | null;
}

export interface SavedMaskFile {
  id: string;
  settings: MaskSettingsView;
}

export const listMaskSets = () => invoke<MaskSettingsView>('list_mask_sets');

export const getMaskFile = (id: string) => invoke<MaskFileView>('get_mask_file', { id });

export const editMaskFile = (text: string, edit: MaskEdit) => invoke<MaskFileView>('edit_mask_file', { text, edit });

export const previewMaskFile = (text: string, sample: PreviewSample) =>
  invoke<MaskPreview>('preview_mask_file', { text, sample });

export const saveMaskFile = (text: string) => invoke<SavedMaskFile>('save_mask_file', { text });

/** The picked file's bytes; the backend checks size and encoding. */
export const importMaskFile = (bytes: number[]) => invoke<SavedMaskFile>('import_mask_file', { bytes });

export const resetMaskFile = (id: string) => invoke<MaskSettingsView>('reset_mask_file', { id });

/** Writes the language's file to Downloads; returns the path. */
export const exportMaskFile = (id: string) => invoke<string>('export_mask_file', { id });

/** Tells the app the first message list is on screen (it logs the startup time). */
export const firstListPaint = (rows: number) => invoke<void>('first_list_paint', { rows });

// Settings (src-tauri/settings.rs).

export type Theme = 'system' | 'light' | 'dark';

export interface Settings {
  theme: Theme;
  /** Header-block times on a 12-hour clock. */
  hour12: boolean;
  /** chrono format of header-block dates, e.g. %Y-%m-%d. */
  dateFormat: string;
  /** Avatar size in pixels, 16–64. */
  avatarSize: number;
  remoteImages: 'block' | 'allow';
  /** Addresses whose remote images load. */
  allowedSenders: string[];
  /** A desktop notification for new mail and voicemail. */
  notifications: boolean;
}

export interface SettingsView {
  settings: Settings;
  /** Why settings.json was not used, if it was not. */
  problem: string | null;
}

/** What the user should know from the start (a rebuilt cache, unreadable settings), in English. */
export const startupNotices = () => invoke<string[]>('startup_notices');

export const getSettings = () => invoke<SettingsView>('get_settings');

export const saveSettings = (settings: Settings) => invoke<Settings>('save_settings', { settings });

export const allowRemoteSender = (email: string) => invoke<Settings>('allow_remote_sender', { email });

// Background sync (src-tauri/background.rs).

/** A background sync of an account's folder finished. */
export interface MailboxSynced {
  account: string;
  mailbox: string;
  new: number;
  changed: number;
  expunged: number;
}

/** Following an account failed; `retryInSeconds` is null when it stopped (the user must act). */
export interface SyncProblem {
  account: string;
  message: string;
  retryInSeconds: number | null;
}

export const onMailboxSynced = (handler: (event: MailboxSynced) => void): Promise<UnlistenFn> =>
  listen<MailboxSynced>('mailbox-synced', (event) => handler(event.payload));

export const onSyncProblem = (handler: (event: SyncProblem) => void): Promise<UnlistenFn> =>
  listen<SyncProblem>('account-sync-problem', (event) => handler(event.payload));

// Links in a mail body (src-tauri/links.rs).

/** A click on a link in the body frame: the whole target, as the webview resolved it. */
export interface LinkRequested {
  url: string;
}

export const onLinkRequested = (handler: (event: LinkRequested) => void): Promise<UnlistenFn> =>
  listen<LinkRequested>('link-requested', (event) => handler(event.payload));

/** Opens a link in the system browser; the backend checks it again (http, https, mailto only). */
export const openLink = (url: string) => invoke<void>('open_link', { url });

export type ComposeKind = 'reply' | 'reply-all' | 'forward';

/** Starts a reply, a reply to all or a forward of `message` in the user's mail program. */
export const compose = (message: MessageRef, kind: ComposeKind) => invoke<void>('compose', { message, kind });
