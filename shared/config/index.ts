import type * as t from 'io-ts';
import * as E from 'fp-ts/lib/Either.js';
import { settings, type SettingName } from './settings.js';

export { settings, type SettingName } from './settings.js';

type Settings = typeof settings;
export type Config = { readonly [K in SettingName]: t.TypeOf<Settings[K]['codec']> };

export type ConfigError = { readonly variable: SettingName; readonly value: string; readonly message: string };

/**
 * Decodes every setting from the environment, falling back to the local defaults. Returns all
 * problems at once so an operator fixes them in one go.
 */
export const decodeConfig = (env: Readonly<Record<string, string | undefined>>): E.Either<ConfigError[], Config> => {
  const errors: ConfigError[] = [];
  const values: Record<string, unknown> = {};
  for (const name of Object.keys(settings) as SettingName[]) {
    const setting = settings[name];
    const raw = env[name] ?? setting.default;
    const decoded = (setting.codec as t.Type<unknown, unknown, unknown>).decode(raw);
    if (E.isRight(decoded)) {
      values[name] = decoded.right;
    } else {
      const message = decoded.left.map((e) => e.message ?? `expected ${setting.codec.name}`)[0] ?? `expected ${setting.codec.name}`;
      errors.push({ variable: name, value: raw, message });
    }
  }
  if (errors.length > 0) return E.left(errors);
  const config = values as Config;
  if (config.EVENT_STORE === 'eventstoredb' && config.EVENTSTORE_CONNECTION_STRING === '') {
    return E.left([{ variable: 'EVENTSTORE_CONNECTION_STRING', value: '', message: 'required when EVENT_STORE=eventstoredb' }]);
  }
  return E.right(config);
};

export const formatConfigErrors = (errors: readonly ConfigError[]): string =>
  ['Invalid configuration:', ...errors.map((e) => `  ${e.variable}=${JSON.stringify(e.value)}: ${e.message}`)].join('\n');

/** For process entry points only: exits with a message naming each wrong variable. */
export const loadConfigOrExit = (env: NodeJS.ProcessEnv = process.env): Config => {
  const result = decodeConfig(env);
  if (E.isLeft(result)) {
    console.error(formatConfigErrors(result.left));
    process.exit(78); // EX_CONFIG
  }
  return result.right;
};
