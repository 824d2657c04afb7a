import { describe, expect, it, vi } from 'vitest';
import { AccountSync, type AccountSyncApi } from './accountSync.svelte';
import type { AccountSyncView, SyncProgress } from '../ipc';

const step = (foldersDone: number, messagesDone: number, messagesTotal: number, bodiesDone = 0, bodiesTotal = 0): SyncProgress =>
  ({ account: 'a', folder: 'Sent', foldersDone, foldersTotal: 4, messagesDone, messagesTotal, bodiesDone, bodiesTotal });

describe('AccountSync', () => {
  it('follows the progress of the running account only, then keeps how it ended', async () => {
    let finish: (view: AccountSyncView) => void = () => {};
    const api: AccountSyncApi = {
      syncAllFolders: vi.fn(() => new Promise<AccountSyncView>((resolve) => { finish = resolve; })),
      cancelSync: vi.fn(async () => true),
    };
    const sync = new AccountSync(api);
    const running = sync.start('a');
    expect(sync.running).toBe('a');
    sync.step({ ...step(1, 0, 0), account: 'other' });
    expect(sync.progress).toBeNull();
    // Headers first, then bodies: half the headers of the second folder is a quarter of its work.
    sync.step(step(1, 50, 100));
    expect(sync.fraction).toBeCloseTo(1.25 / 4);
    sync.step(step(1, 100, 100, 60, 120));
    expect(sync.fraction).toBeCloseTo((1 + 160 / 220) / 4);
    sync.step(step(4, 0, 0));
    expect(sync.fraction).toBe(1);
    await sync.start('b');
    expect(api.syncAllFolders).toHaveBeenCalledTimes(1);
    await sync.cancel();
    await sync.cancel();
    expect(api.cancelSync).toHaveBeenCalledTimes(1);
    expect(api.cancelSync).toHaveBeenCalledWith('a');
    finish({ synced: 4, new: 12, failed: [], cancelled: false });
    await running;
    expect([sync.running, sync.progress, sync.result?.new]).toEqual([null, null, 12]);
  });

  it('has nothing to cancel when idle, and reports a failed sync', async () => {
    const api: AccountSyncApi = {
      syncAllFolders: vi.fn(async () => { throw { code: 'unreachable', message: 'cannot reach the server' }; }),
      cancelSync: vi.fn(async () => true),
    };
    const sync = new AccountSync(api);
    await sync.cancel();
    expect(api.cancelSync).not.toHaveBeenCalled();
    await sync.start('a');
    expect(sync.error?.message).toBe('cannot reach the server');
    expect(sync.running).toBeNull();
  });
});
