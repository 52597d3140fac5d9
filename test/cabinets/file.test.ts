import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { CabinetsFileError, parseCabinets, readCabinetsFile } from '../../src/cabinets/file.ts';
import { ConfigError, loadConfig } from '../../src/config.ts';

const GOOD = { name: 'shop-a', apiKey: 'key-a', businessId: 11, chatId: -1001111111111 };

function problemsOf(data: unknown, env: Record<string, string> = {}): string[] {
  try {
    parseCabinets('cabinets.yaml', data, env);
  } catch (err) {
    if (err instanceof CabinetsFileError) return err.problems;
    throw err;
  }
  return [];
}

describe('CABINETS_FILE', () => {
  it('reads a YAML list, resolving apiKeyEnv from the environment', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'cabinets-'));
    const file = path.join(dir, 'cabinets.yaml');
    await writeFile(
      file,
      [
        '- name: shop-a',
        '  apiKey: key-a',
        '  businessId: 11',
        '  chatId: -1001111111111',
        '- name: shop-b',
        '  apiKeyEnv: SHOP_B_KEY',
        '  businessId: "https://partner.market.yandex.ru/business/22/summary"',
        '  chatId: -1001111111111',
      ].join('\n'),
    );
    expect(readCabinetsFile(file, { SHOP_B_KEY: 'key-b' })).toEqual([
      GOOD,
      { name: 'shop-b', apiKey: 'key-b', businessId: 22, chatId: -1001111111111 },
    ]);
  });

  it('names the entry and the field of every problem', () => {
    expect(
      problemsOf([
        GOOD,
        { ...GOOD, name: 'Shop A' },
        { name: 'shop-b', businessId: 12, chatId: -1001111111111 },
        { name: 'shop-c', apiKeyEnv: 'NOPE', businessId: 13, chatId: -1001111111111 },
        { ...GOOD, businessId: 14 },
        { name: 'shop-d', apiKey: 'k', businessId: 'x', chatId: 5, extra: 1 },
      ]),
    ).toEqual([
      expect.stringMatching(/^entry 2 \(Shop A\): name must be a slug/),
      'entry 3 (shop-b): give either apiKey or apiKeyEnv (the environment variable holding the key), not both',
      'entry 4 (shop-c): apiKeyEnv names NOPE, which is not set in the environment',
      'entry 5 (shop-a): name shop-a is used by another entry; each cabinet needs its own',
      'entry 6 (shop-d): businessId must be a positive whole number: the cabinet id',
      'entry 6 (shop-d): unknown field extra (the fields are name, apiKey or apiKeyEnv, businessId, chatId)',
    ]);
    expect(problemsOf({})).toEqual([expect.stringContaining('non-empty list')]);
  });

  it('stops the configuration with the file named, and frees the single-cabinet settings', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'cabinets-'));
    const file = path.join(dir, 'cabinets.json');
    await writeFile(file, JSON.stringify({ cabinets: [GOOD] }));
    const env = { TELEGRAM_BOT_TOKEN: '123456:TEST-token-abcdefghijklmnopqrstuvwxyz', CABINETS_FILE: file };
    const config = loadConfig(env);
    expect(config.cabinets).toEqual([GOOD]);
    expect(config.telegram.chatId).toBe(0);
    expect(() => loadConfig({ ...env, CABINETS_FILE: path.join(dir, 'missing.yaml') })).toThrow(ConfigError);
    expect(() => loadConfig({ ...env, CABINETS_FILE: path.join(dir, 'missing.yaml') })).toThrow(
      /CABINETS_FILE .*missing\.yaml: cannot be read \(ENOENT\)/,
    );
  });
});
