import type { Command } from 'commander';
import { z } from 'zod';
import { newId } from '../core/ids.js';
import { AuthErrors } from '../domains/auth/errors.js';
import { createToken, listTokens, revokeToken } from '../domains/auth/tokens.js';
import type { TokenRow } from '../domains/auth/schema.js';
import { asPlatform } from '../domains/tenancy/users.js';
import type { Runtime } from '../server/runtime.js';
import { cliCtx, memberActor, orgByShortName, parseOption, parseRoles, printRows, type CliContext } from './context.js';

export interface TokenCreateInput {
  email: string;
  org: string;
  role: string;
  name: string;
  expiresDays?: string | undefined;
}

/**
 * Creates an API token for a member, as that member (the token service only
 * issues tokens to the person they belong to, with a role they hold).
 */
export async function tokensCreate(rt: Runtime, input: TokenCreateInput): Promise<TokenRow & { token: string; org: string }> {
  const [role] = parseRoles(input.role, '--role');
  const name = parseOption(z.string().trim().min(1, 'required').max(100), input.name, '--name');
  const expiresInDays = input.expiresDays === undefined ? undefined : parseOption(z.coerce.number().int().min(1).max(3650), input.expiresDays, '--expires-days');
  const org = await orgByShortName(rt, input.org);
  const actor = await memberActor(rt, input.email, org);
  const made = await createToken({ db: rt.db, clock: rt.clock, actor, requestId: `cli-${newId()}`, ip: null }, { name, role: role!, expiresInDays });
  return { ...made, org: org.shortName };
}

/** Every token of an org (never the secret itself). */
export async function tokensList(rt: Runtime, orgShort: string): Promise<TokenRow[]> {
  const org = await orgByShortName(rt, orgShort);
  return listTokens(cliCtx(rt, org));
}

/** Revokes a token by id, in whichever org it belongs to. */
export async function tokensRevoke(rt: Runtime, id: string): Promise<TokenRow> {
  parseOption(z.string().uuid('not a token id (see `muhafiz tokens list --org <short>`)'), id, 'token id');
  const owner = await asPlatform(rt, 'system:cli', (tx) =>
    tx.selectFrom('api_tokens as t').innerJoin('orgs as o', 'o.id', 't.org_id').select(['o.id', 'o.kind']).where('t.id', '=', id).executeTakeFirst(),
  );
  if (!owner) throw AuthErrors.TOKEN_NOT_FOUND();
  return revokeToken(cliCtx(rt, owner), id);
}

export function registerTokenCommands(program: Command, cli: CliContext): void {
  const tokens = program.command('tokens').description('API tokens (Authorization: Bearer mfz_…), scoped to one org and one role');

  tokens
    .command('create')
    .description("create a token for a member with one of the member's roles; the token is printed once")
    .requiredOption('--email <email>', 'the member the token belongs to')
    .requiredOption('--org <short>', 'organisation short name')
    .requiredOption('--role <role>', 'one role the member holds in the org')
    .option('--name <name>', 'what the token is for', 'cli')
    .option('--expires-days <days>', 'expire after this many days (default: never)')
    .addHelpText('after', '\nExample:\n  muhafiz tokens create --email leila.nasser@sahilfin-cert.example --org SahilFin-CERT --role cert_analyst --name misp-sync --expires-days 90')
    .action((o: TokenCreateInput) =>
      cli.withRuntime(async (rt) => {
        const t = await tokensCreate(rt, o);
        cli.out(`token ${t.id} for ${o.email} in ${t.org} as ${t.role}${t.expiresAt ? `, expires ${t.expiresAt}` : ''}`);
        cli.out(`token (shown once): ${t.token}`);
      }),
    );

  tokens
    .command('list')
    .description("list an org's tokens (prefix only; the secret is never stored)")
    .requiredOption('--org <short>', 'organisation short name')
    .option('--json', 'print JSON instead of a table')
    .action((o: { org: string; json?: boolean }) =>
      cli.withRuntime(async (rt) => {
        const rows = await tokensList(rt, o.org);
        printRows(cli, o.json, rows, [
          ['id', (r) => r.id],
          ['name', (r) => r.name],
          ['role', (r) => r.role],
          ['prefix', (r) => r.prefix],
          ['created', (r) => r.createdAt.slice(0, 16)],
          ['expires', (r) => r.expiresAt?.slice(0, 16) ?? 'never'],
          ['last used', (r) => r.lastUsedAt?.slice(0, 16) ?? '-'],
          ['status', (r) => (r.revokedAt ? 'revoked' : r.expiresAt && r.expiresAt <= rt.clock.now().toISOString() ? 'expired' : 'active')],
        ]);
      }),
    );

  tokens
    .command('revoke <id>')
    .description('revoke a token by id (see `tokens list`); requests with it fail from now on')
    .action((id: string) =>
      cli.withRuntime(async (rt) => {
        const t = await tokensRevoke(rt, id);
        cli.out(`revoked token ${t.id} (${t.name})`);
      }),
    );
}
