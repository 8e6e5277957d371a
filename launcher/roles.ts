export const ROLES = ['command-api', 'query-api', 'relay', 'projector'] as const;
export type Role = (typeof ROLES)[number];

/** `--role all` (the default) or one role; repeated `--role` flags combine. */
export const parseRoles = (argv: readonly string[]): Role[] | string => {
  const named: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] ?? '';
    if (arg === '--role') named.push(argv[++i] ?? '');
    else if (arg.startsWith('--role=')) named.push(arg.slice('--role='.length));
    else return `unknown argument "${arg}"; usage: npm start -- [--role all|${ROLES.join('|')}]...`;
  }
  if (named.length === 0 || named.includes('all')) return [...ROLES];
  const unknown = named.filter((r) => !(ROLES as readonly string[]).includes(r));
  if (unknown.length > 0) return `unknown role "${unknown.join(', ')}"; roles: all, ${ROLES.join(', ')}`;
  return [...new Set(named)] as Role[];
};
