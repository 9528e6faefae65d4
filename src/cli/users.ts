import type { Command } from 'commander';
import { z } from 'zod';
import type { Role } from '../core/access/index.js';
import { Email } from '../domains/auth/schema.js';
import { createUser, disableUser, listUsers, resetPassword } from '../domains/tenancy/users.js';
import type { Runtime } from '../server/runtime.js';
import { cliCtx, orgByShortName, parseOption, parseRoles, platformOrg, printRows, type CliContext } from './context.js';

export interface UserListRow {
  email: string;
  displayName: string;
  org: string | null;
  roles: string[];
  platformAdmin: boolean;
  mfaEnabled: boolean;
  disabled: boolean;
}

/** Every account with each active membership (one row per membership), optionally for one org. */
export async function usersList(rt: Runtime, opts: { org?: string | undefined }): Promise<UserListRow[]> {
  const rows = (await listUsers(rt)).map((u) => ({
    email: u.email,
    displayName: u.display_name,
    org: u.short_name ?? null,
    roles: u.roles ?? [],
    platformAdmin: u.platform_admin,
    mfaEnabled: u.mfa_enabled,
    disabled: Boolean(u.disabled_at),
  }));
  return opts.org ? rows.filter((r) => r.org?.toLowerCase() === opts.org!.toLowerCase()) : rows;
}

export interface UserCreateInput {
  email: string;
  name: string;
  org: string;
  roles: string;
  password?: string | undefined;
  platformAdmin?: boolean | undefined;
}

/** Creates an account with a membership, through the same service as POST /api/users. */
export async function usersCreate(rt: Runtime, input: UserCreateInput): Promise<{ id: string; email: string; org: string; roles: Role[]; generatedPassword?: string }> {
  const email = parseOption(Email, input.email, '--email');
  const name = parseOption(z.string().trim().min(1, 'required').max(200), input.name, '--name');
  const roles = parseRoles(input.roles);
  const org = await orgByShortName(rt, input.org);
  const platform = await platformOrg(rt);
  const made = await createUser(cliCtx(rt, platform), { email, displayName: name, password: input.password, platformAdmin: Boolean(input.platformAdmin), orgId: org.id, roles });
  return { id: made.id, email, org: org.shortName, roles, ...(made.generatedPassword ? { generatedPassword: made.generatedPassword } : {}) };
}

export function registerUserCommands(program: Command, cli: CliContext): void {
  const users = program.command('users').description('manage user accounts');

  users
    .command('list')
    .description('list accounts with their memberships (one line per membership)')
    .option('--org <short>', 'only members of this organisation (short name)')
    .option('--json', 'print JSON instead of a table')
    .action((o: { org?: string; json?: boolean }) =>
      cli.withRuntime(async (rt) => {
        const rows = await usersList(rt, o);
        printRows(cli, o.json, rows, [
          ['email', (r) => r.email],
          ['name', (r) => r.displayName],
          ['org', (r) => r.org ?? '-'],
          ['roles', (r) => r.roles.join(',') || '-'],
          ['flags', (r) => [r.platformAdmin && 'platform-admin', r.mfaEnabled && 'mfa', r.disabled && 'DISABLED'].filter(Boolean).join(' ')],
        ]);
      }),
    );

  users
    .command('create')
    .description('create an account with a membership; without --password a strong one is generated and printed once')
    .requiredOption('--email <email>', 'sign-in email')
    .requiredOption('--name <name>', 'display name')
    .requiredOption('--org <short>', 'organisation short name (see `muhafiz orgs list`)')
    .requiredOption('--roles <roles>', 'comma-separated roles, e.g. isms_manager,risk_owner')
    .option('--password <password>', 'initial password (prefer the generated one: it never appears in shell history)')
    .option('--platform-admin', 'also make the account a platform administrator')
    .addHelpText('after', '\nExample:\n  muhafiz users create --email sara@bank.example --name "Sara Rahman" --org NovaBank --roles isms_manager')
    .action((o: UserCreateInput) =>
      cli.withRuntime(async (rt) => {
        const r = await usersCreate(rt, o);
        cli.out(`created ${r.email} in ${r.org} as ${r.roles.join(', ')}`);
        if (r.generatedPassword) cli.out(`password (shown once): ${r.generatedPassword}`);
      }),
    );

  users
    .command('reset-password <email>')
    .description('set a new password (generated unless --password is given), unlock the account, sign it out everywhere')
    .option('--password <password>', 'the new password (prefer the generated one)')
    .action((email: string, o: { password?: string }) =>
      cli.withRuntime(async (rt) => {
        const r = await resetPassword(rt, email, o.password);
        cli.out(o.password ? `password changed for ${email}` : `new password for ${email} (shown once): ${r.password}`);
      }),
    );

  users
    .command('disable <email>')
    .description('disable an account: its sessions end and its API tokens stop working')
    .action((email: string) =>
      cli.withRuntime(async (rt) => {
        await disableUser(rt, email);
        cli.out(`disabled ${email}`);
      }),
    );
}
