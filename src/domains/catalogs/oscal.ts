/**
 * OSCAL 1.x catalog -> catalog model. Pure: no database, no schema check
 * (see oscal-validate.ts). Groups become requirements of kind `group` (or
 * their OSCAL class), controls `control` (or their class), controls nested
 * in controls `enhancement` (or their class). A requirement's ref is the
 * OSCAL id (unique in a valid catalog); the human label (`AC-2(1)`) is kept
 * in detail.label and is searchable.
 */
import type { CatalogRequirementSeed } from './model.js';

interface OscalProp {
  name: string;
  value: string;
  ns?: string;
}
interface OscalPart {
  id?: string;
  name: string;
  title?: string;
  prose?: string;
  props?: OscalProp[];
  parts?: OscalPart[];
}
interface OscalParam {
  id: string;
  label?: string;
  values?: string[];
  select?: { 'how-many'?: string; choice?: string[] };
  guidelines?: Array<{ prose: string }>;
}
interface OscalControlLike {
  id?: string;
  class?: string;
  title: string;
  params?: OscalParam[];
  props?: OscalProp[];
  links?: Array<{ href: string; rel?: string; text?: string }>;
  parts?: OscalPart[];
  controls?: OscalControlLike[];
  groups?: OscalControlLike[];
}
export interface OscalCatalogDocument {
  catalog: {
    uuid: string;
    metadata: { title: string; version: string; 'oscal-version': string; published?: string; 'last-modified'?: string; remarks?: string; parties?: Array<{ type: string; name?: string }> };
    params?: OscalParam[];
    controls?: OscalControlLike[];
    groups?: OscalControlLike[];
  };
}

const HIDDEN_PROPS = new Set(['label', 'sort-id']);
const KIND = /^[a-z][a-z_-]{0,39}$/;

function kindOf(cls: string | undefined, fallback: string): string {
  const k = cls?.toLowerCase();
  if (k && KIND.test(k)) return k;
  return cls && /enhancement/i.test(cls) ? 'enhancement' : fallback;
}

function propValue(props: OscalProp[] | undefined, name: string): string | undefined {
  return props?.find((p) => p.name === name)?.value;
}

/** Replaces `{{ insert: param, id }}` with the parameter's label, values or choices. */
function renderProse(prose: string, params: Map<string, OscalParam>): string {
  return prose.replace(/\{\{\s*insert:\s*param,\s*([^\s}]+)\s*\}\}/g, (_m, id: string) => {
    const p = params.get(id);
    if (!p) return `[${id}]`;
    if (p.values?.length) return p.values.join(', ');
    if (p.select?.choice?.length) return `[Selection${p.select['how-many'] === 'one-or-more' ? ' (one or more)' : ''}: ${p.select.choice.map((c) => renderProse(c, params)).join('; ')}]`;
    return `[Assignment: ${p.label ?? id}]`;
  });
}

/** A part and its item sub-parts as indented text lines ("a. ...", "  1. ..."). */
function partText(part: OscalPart, params: Map<string, OscalParam>, depth = 0): string[] {
  const lines: string[] = [];
  const label = propValue(part.props, 'label');
  const prose = part.prose ? renderProse(part.prose, params).trim() : '';
  if (label || prose) lines.push(`${'  '.repeat(depth)}${label ? `${label} ` : ''}${prose}`.trimEnd());
  for (const sub of part.parts ?? []) lines.push(...partText(sub, params, label || prose ? depth + 1 : depth));
  return lines;
}

function attributesOf(props: OscalProp[] | undefined): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const p of props ?? []) {
    if (HIDDEN_PROPS.has(p.name)) continue;
    (out[p.name] ??= []).push(p.value);
  }
  return out;
}

export interface OscalConversion {
  requirements: CatalogRequirementSeed[];
  /** JSON path of each requirement's source object, e.g. `$.catalog.groups[0].controls[3]`. */
  paths: string[];
}

/**
 * Flattens an OSCAL catalog into requirements in document order (parents
 * before children). Catalog-level params are visible to every control.
 */
export function oscalRequirements(doc: OscalCatalogDocument): OscalConversion {
  const requirements: CatalogRequirementSeed[] = [];
  const paths: string[] = [];
  const params = new Map<string, OscalParam>();
  const addParams = (ps: OscalParam[] | undefined) => ps?.forEach((p) => params.set(p.id, p));
  addParams(doc.catalog.params);
  let anonymous = 0;

  const visit = (node: OscalControlLike, path: string, what: 'group' | 'control' | 'enhancement', parent: CatalogRequirementSeed | null, theme: string | null) => {
    addParams(node.params);
    const ref = node.id ?? `group-${++anonymous}`;
    const statementPart = node.parts?.find((p) => p.name === 'statement');
    const guidancePart = node.parts?.find((p) => p.name === 'guidance');
    const overview = node.parts?.find((p) => p.name === 'overview');
    const label = propValue(node.props, 'label');
    const otherParts = node.parts?.filter((p) => p !== statementPart && p !== guidancePart && p !== overview) ?? [];
    const req: CatalogRequirementSeed = {
      ref,
      parentRef: parent?.ref ?? null,
      kind: kindOf(node.class, what),
      title: node.title,
      statement: (statementPart ? partText(statementPart, params) : overview ? partText(overview, params) : []).join('\n'),
      guidance: guidancePart ? partText(guidancePart, params).join('\n') : '',
      theme: theme ?? node.id ?? node.title,
      isNew: false,
      attributes: attributesOf(node.props),
      detail: {
        ...(label ? { label } : {}),
        ...(node.class ? { class: node.class } : {}),
        ...(node.params?.length ? { params: node.params } : {}),
        ...(otherParts.length ? { parts: otherParts } : {}),
        ...(node.links?.length ? { links: node.links } : {}),
      },
    };
    requirements.push(req);
    paths.push(path);
    const childTheme = theme ?? req.theme;
    (node.groups ?? []).forEach((g, i) => visit(g, `${path}.groups[${i}]`, 'group', req, childTheme));
    (node.controls ?? []).forEach((c, i) => visit(c, `${path}.controls[${i}]`, what === 'group' ? 'control' : 'enhancement', req, childTheme));
  };

  (doc.catalog.groups ?? []).forEach((g, i) => visit(g, `$.catalog.groups[${i}]`, 'group', null, null));
  (doc.catalog.controls ?? []).forEach((c, i) => visit(c, `$.catalog.controls[${i}]`, 'control', null, null));
  return { requirements, paths };
}

/** The JSON path of the first id used twice (a valid OSCAL document has none; the schema cannot check it). */
export function firstDuplicateRef(conv: OscalConversion): { ref: string; path: string } | undefined {
  const seen = new Set<string>();
  for (let i = 0; i < conv.requirements.length; i++) {
    const ref = conv.requirements[i]!.ref;
    if (seen.has(ref)) return { ref, path: `${conv.paths[i]}.id` };
    seen.add(ref);
  }
  return undefined;
}
