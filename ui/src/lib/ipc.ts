// The only module that talks to the Rust side: one typed function per command.
// Types mirror src-tauri/commands.rs and src-tauri/error.rs.
import { invoke } from '@tauri-apps/api/core';

export interface MessageRef {
  account: string;
  mailbox: string;
  uidValidity: number;
  uid: number;
}

export interface AccountView {
  id: string;
  displayName: string;
  email: string;
  isDemo: boolean;
  mailboxes: string[];
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
  attachments: number;
  voicemail: VoicemailKind | null;
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

export interface MessageView {
  row: MessageRow;
  to: string;
  /** The body with uniform header blocks (the message's own first), for a sandboxed frame. */
  bodyDocument: string;
  quotes: QuoteView[];
}

export type ErrorCode = 'not_found' | 'cache';

export interface IpcError {
  code: ErrorCode;
  message: string;
}

/** Turns whatever a failed invoke threw into an IpcError the UI can show. */
export function asIpcError(thrown: unknown): IpcError {
  if (thrown && typeof thrown === 'object' && 'code' in thrown && 'message' in thrown) {
    return thrown as IpcError;
  }
  return { code: 'cache', message: String(thrown) };
}

export const listAccounts = () => invoke<AccountView[]>('list_accounts');

export const listMessages = (account: string, mailbox: string) =>
  invoke<MessageRow[]>('list_messages', { account, mailbox });

export const openMessage = (message: MessageRef) => invoke<MessageView>('open_message', { message });

export const setSeen = (message: MessageRef, seen: boolean) => invoke<void>('set_seen', { message, seen });

export function sameMessage(a: MessageRef, b: MessageRef): boolean {
  return a.account === b.account && a.mailbox === b.mailbox && a.uidValidity === b.uidValidity && a.uid === b.uid;
}
