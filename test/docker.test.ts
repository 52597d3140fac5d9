/**
 * The Docker image and the Compose example, read as text (Docker itself is not needed): a pinned base image, the
 * listener's port, a health check that asks /healthz with Node.js, and a Compose service with the env file, the
 * store's volume and a restart policy. The health check's command is run against a real listener.
 */
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { SETTINGS } from '../src/settings.ts';

const read = (file: string) => readFileSync(new URL(`../${file}`, import.meta.url), 'utf8');
/** The Dockerfile's instructions, continuation lines joined. */
const instructions = read('Dockerfile')
  .replace(/\\\n\s*/g, '')
  .split('\n')
  .filter((line) => line.trim() !== '' && !line.startsWith('#'));
const instruction = (keyword: string) => instructions.filter((line) => line.startsWith(`${keyword} `));

describe('the Dockerfile', () => {
  it('pins its base image to one Node.js release', () => {
    const image = /^ARG NODE_IMAGE=(\S+)$/.exec(instruction('ARG')[0] ?? '')?.[1];
    expect(image).toMatch(/^node:\d+\.\d+\.\d+-[a-z]+-slim(@sha256:[0-9a-f]{64})?$/);
    for (const from of instruction('FROM')) expect(from).toMatch(/^FROM \$\{NODE_IMAGE\} AS \w+$/);
  });

  it('exposes the HTTP listener on the default HTTP_PORT', () => {
    expect(instruction('EXPOSE')).toEqual([`EXPOSE ${SETTINGS.HTTP_PORT.default}`]);
  });

  it('keeps the store in the volume DATA_DIR points at', () => {
    expect(instruction('VOLUME')).toEqual(['VOLUME /app/data']);
    expect(instruction('ENV').join(' ')).toContain('DATA_DIR=/app/data');
  });

  describe('its health check', () => {
    const healthcheck = instruction('HEALTHCHECK')[0] ?? '';
    const command = JSON.parse(/ CMD (\[.*\])$/.exec(healthcheck)?.[1] ?? '[]') as string[];

    /** Runs the health check's command with `env`, as Docker would inside the container. */
    function check(env: Record<string, string>): Promise<number | null> {
      const child = spawn(process.execPath, command.slice(1), { env: { PATH: process.env.PATH ?? '', ...env } });
      return new Promise((resolve) => child.once('exit', (code) => resolve(code)));
    }

    async function listener(status: number): Promise<{ server: Server; port: number; paths: string[] }> {
      const paths: string[] = [];
      const server = createServer((req, res) => {
        paths.push(req.url ?? '');
        res.writeHead(status).end();
      });
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      return { server, port: (server.address() as { port: number }).port, paths };
    }

    it('runs with Node.js, in exec form, with a timeout and a start period', () => {
      expect(command[0]).toBe('node');
      expect(command.join(' ')).not.toMatch(/curl|wget/);
      expect(healthcheck).toMatch(/--timeout=\d+s/);
      expect(healthcheck).toMatch(/--start-period=\d+s/);
      expect(command.join(' ')).toContain(`process.env.HTTP_PORT || ${SETTINGS.HTTP_PORT.default}`);
    });

    it('passes when /healthz on HTTP_PORT answers 200, and fails on 503 or no answer', async () => {
      const up = await listener(200);
      const down = await listener(503);
      try {
        expect(await check({ HTTP_PORT: String(up.port) })).toBe(0);
        expect(up.paths).toEqual(['/healthz']);
        expect(await check({ HTTP_PORT: String(down.port) })).toBe(1);
      } finally {
        up.server.close();
        down.server.close();
      }
      expect(await check({ HTTP_PORT: String(up.port) })).toBe(1);
    });
  });
});

describe('compose.yaml', () => {
  const compose = parse(read('compose.yaml')) as {
    services: Record<string, { env_file?: unknown; volumes?: string[]; restart?: string; ports?: string[] }>;
    volumes?: Record<string, unknown>;
  };
  const service = compose.services.marketgram;

  it('runs the image with the env file, the store in a named volume and a restart policy', () => {
    expect(service?.env_file).toBe('.env');
    expect(service?.restart).toBe('unless-stopped');
    const volume = service?.volumes?.find((v) => v.endsWith(':/app/data'));
    expect(volume).toBeDefined();
    expect(Object.keys(compose.volumes ?? {})).toContain(volume?.split(':')[0]);
    expect(service?.ports).toEqual([`127.0.0.1:${SETTINGS.HTTP_PORT.default}:${SETTINGS.HTTP_PORT.default}`]);
  });

  it('is the one docs/operations.md shows', () => {
    const shown = /### With Docker Compose[\s\S]*?```yaml\n([\s\S]*?)```/.exec(read('docs/operations.md'))?.[1];
    expect(parse(shown ?? '')).toEqual(compose);
  });
});
