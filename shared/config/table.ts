import { settings, type SettingName } from './settings.js';

/** The README's configuration table, generated from the one list of settings. */
export const configTable = (): string => {
  const rows = (Object.keys(settings) as SettingName[]).map((name) => {
    const s = settings[name];
    const fallback = s.default === '' ? '(empty)' : `\`${s.default}\``;
    return `| \`${name}\` | ${fallback} | ${s.doc.replace(/\|/g, '\\|')} |`;
  });
  return ['| Variable | Default (local) | Meaning |', '| --- | --- | --- |', ...rows].join('\n');
};
