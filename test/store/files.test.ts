import { describe, expect, it } from 'vitest';
import { FileWrites } from '../../src/store/files.ts';

const enospc = () => Object.assign(new Error('ENOSPC: no space left on device'), { code: 'ENOSPC' });

describe('FileWrites: whether the store can be written', () => {
  it('is not cleared by a write that began before a failure, only by one begun after it', async () => {
    let recovered = 0;
    const writes = new FileWrites({ failed: () => undefined, recovered: () => recovered++ });
    let finishSlow!: () => void;
    const slow = writes.tracked('journal', () => new Promise<void>((r) => (finishSlow = r)));
    await expect(writes.tracked('meta', () => Promise.reject(enospc()))).rejects.toThrow(/ENOSPC/);
    finishSlow();
    await slow;
    // The slow write had its bytes taken before the disk filled up: the disk is still full for all we know.
    expect(writes.failure?.code).toBe('ENOSPC');
    expect(recovered).toBe(0);
    await writes.tracked('meta', () => Promise.resolve());
    expect(writes.failure).toBeUndefined();
    expect(recovered).toBe(1);
  });
});
