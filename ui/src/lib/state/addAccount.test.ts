import { describe, expect, it, vi } from 'vitest';
import { AddAccountState, type AccountApi } from './addAccount.svelte';
import type { AddedAccount } from '../ipc';

const FINGERPRINT = 'AB:CD:EF';

function added(id = 'alice@example.org'): AddedAccount {
  return {
    account: { id, displayName: id, email: id, isDemo: false, mailboxes: [], server: null, dialect: null },
    dialect: { name: 'imap4rev1', evidence: ['CAPABILITY lists IMAP4rev1'] },
    clientId: [{ key: 'name', value: 'Tidings' }],
    foundBy: null,
  };
}

function fakeApi(): AccountApi {
  return {
    addAccount: vi.fn(async () => added()),
    syncAccount: vi.fn(async (_id: string, mailbox: string) => ({
      mailbox, new: 3, changed: 0, expunged: 0, messages: 3, dialect: 'imap4rev1',
    })),
    readStatusSms: vi.fn(async (text: string) => {
      if (!text.startsWith('//VVM:STATUS:')) {
        throw { code: 'invalid_input', message: 'not a visual voicemail SMS' };
      }
      return {
        email: '15551234567@vvm.example.net', password: 'pin-pw', host: 'vvm.example.net', port: 143,
        security: 'starttls' as const, username: '15551234567',
        voicemail: {
          declaredDialect: 'omtp-vvm13', languages: ['1', '2'], maxGreetingSeconds: 60,
          maxVoiceSignatureSeconds: 10, tuiPasswordLength: [4, 9] as [number, number], tuiNumber: '+15550100',
          passwordChangeSupported: true, greetingChangeSupported: true,
        },
      };
    }),
  };
}

function filled(api: AccountApi): AddAccountState {
  const state = new AddAccountState(api);
  state.email = ' alice@example.org ';
  state.password = 'secret';
  return state;
}

describe('AddAccountState', () => {
  it('needs an address and a password, and a host with manual settings', () => {
    const state = new AddAccountState(fakeApi());
    expect(state.canConnect).toBe(false);
    state.email = 'alice@example.org';
    state.password = 'secret';
    expect(state.canConnect).toBe(true);
    state.manual = true;
    expect(state.canConnect).toBe(false);
    state.host = 'imap.example.org';
    expect(state.canConnect).toBe(true);
  });

  it('adds the account, syncs its inbox once, shows the dialect and forgets the password', async () => {
    const api = fakeApi();
    const state = filled(api);
    const id = await state.connect();
    expect(id).toBe('alice@example.org');
    expect(api.addAccount).toHaveBeenCalledWith({
      email: 'alice@example.org', password: 'secret', server: null, acceptCertificate: null, statusSms: null,
    });
    expect(api.syncAccount).toHaveBeenCalledTimes(1);
    expect(api.syncAccount).toHaveBeenCalledWith('alice@example.org', 'INBOX');
    expect(state.phase).toBe('done');
    expect(state.added?.dialect.evidence).toEqual(['CAPABILITY lists IMAP4rev1']);
    expect(state.synced?.new).toBe(3);
    expect(state.password).toBe('');
    expect(state.canConnect).toBe(false);
  });

  it('sends the manual settings, with the port only when given', async () => {
    const api = fakeApi();
    const state = filled(api);
    state.manual = true;
    state.host = ' imap.example.org ';
    state.security = 'starttls';
    state.username = 'alice';
    expect(state.defaultPort).toBe(143);
    await state.connect();
    expect(api.addAccount).toHaveBeenCalledWith(expect.objectContaining({
      server: { host: 'imap.example.org', port: null, security: 'starttls', username: 'alice' },
    }));
  });

  it('refuses a bad port without calling the backend', async () => {
    const api = fakeApi();
    const state = filled(api);
    state.manual = true;
    state.host = 'imap.example.org';
    state.port = '99999';
    expect(await state.connect()).toBeNull();
    expect(state.error?.code).toBe('invalid_input');
    expect(api.addAccount).not.toHaveBeenCalled();
  });

  it('shows a wrong password and lets the user try again', async () => {
    const api = fakeApi();
    api.addAccount = vi.fn(async () => { throw { code: 'wrong_password', message: 'Wrong password' }; });
    const state = filled(api);
    expect(await state.connect()).toBeNull();
    expect(state.error?.code).toBe('wrong_password');
    expect(state.phase).toBe('editing');
    expect(state.password).toBe('secret');
    expect(state.untrusted).toBeNull();
    expect(api.syncAccount).not.toHaveBeenCalled();
  });

  it('shows an untrusted certificate and retries with it when the user trusts it', async () => {
    const api = fakeApi();
    let calls = 0;
    api.addAccount = vi.fn(async () => {
      calls += 1;
      if (calls === 1) throw { code: 'untrusted_certificate', message: `not trusted ${FINGERPRINT}`, fingerprint: FINGERPRINT };
      return added();
    });
    const state = filled(api);
    expect(await state.connect()).toBeNull();
    expect(state.untrusted).toBe(FINGERPRINT);
    expect(await state.trustAndRetry()).toBe('alice@example.org');
    expect(api.addAccount).toHaveBeenLastCalledWith(expect.objectContaining({ acceptCertificate: FINGERPRINT }));
    expect(state.error).toBeNull();
    expect(state.phase).toBe('done');
  });

  it('keeps the added account when the first sync fails, and says why', async () => {
    const api = fakeApi();
    api.syncAccount = vi.fn(async () => { throw { code: 'unreachable', message: 'Cannot reach' }; });
    const state = filled(api);
    expect(await state.connect()).toBe('alice@example.org');
    expect(state.phase).toBe('done');
    expect(state.error?.code).toBe('unreachable');
  });

  it('fills the manual form from a STATUS SMS and sends the SMS along', async () => {
    const api = fakeApi();
    const state = new AddAccountState(api);
    state.smsText = '//VVM:STATUS:st=R;rc=0;srv=vvm.example.net;ipt=143;u=15551234567;pw=pin-pw';
    expect(await state.fillFromSms()).toBe(true);
    expect(state.manual).toBe(true);
    expect([state.email, state.host, state.port, state.security, state.username])
      .toEqual(['15551234567@vvm.example.net', 'vvm.example.net', '143', 'starttls', '15551234567']);
    expect(state.voicemail?.maxGreetingSeconds).toBe(60);
    expect(state.canConnect).toBe(true);
    await state.connect();
    expect(api.addAccount).toHaveBeenCalledWith(expect.objectContaining({
      statusSms: '//VVM:STATUS:st=R;rc=0;srv=vvm.example.net;ipt=143;u=15551234567;pw=pin-pw',
      server: { host: 'vvm.example.net', port: 143, security: 'starttls', username: '15551234567' },
    }));
  });

  it('shows why a pasted text is not a STATUS SMS and leaves the form alone', async () => {
    const state = new AddAccountState(fakeApi());
    state.email = 'kept@example.org';
    state.smsText = 'Your voicemail PIN is 1234';
    expect(await state.fillFromSms()).toBe(false);
    expect(state.error?.message).toContain('not a visual voicemail SMS');
    expect(state.email).toBe('kept@example.org');
    expect(state.filledFromSms).toBeNull();
  });
});
