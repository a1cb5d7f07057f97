// Validation of the JSON input of `requirements --input` (cli.md): every problem at once.
import { z } from 'zod';
import { isCalendarDate } from './dates.ts';
import { SPECIALTY_CODES, type RequirementsInput } from './types.ts';

const date = z.string({ error: 'must be a date YYYY-MM-DD' }).refine(isCalendarDate, {
  error: (issue) => `"${String(issue.input)}" is not a date YYYY-MM-DD`,
});

const points = z
  .number({ error: 'must be a number of points' })
  .int({ error: (issue) => `${String(issue.input)} is not a whole number of points` })
  .min(0, { error: (issue) => `${String(issue.input)} is negative; points are 0 or more` });

const specialtyCode = z.enum(SPECIALTY_CODES, {
  error: (issue) => `unknown specialty code ${JSON.stringify(issue.input)} (valid: ${SPECIALTY_CODES.join(', ')})`,
});

function orderedSpan(span: { from: string; to: string | null }, ctx: z.RefinementCtx, fromName = 'from', toName = 'to'): void {
  if (span.to !== null && isCalendarDate(span.from) && isCalendarDate(span.to) && span.to < span.from) {
    ctx.addIssue({ code: 'custom', message: `${toName} ${span.to} is before ${fromName} ${span.from}`, path: [toName] });
  }
}

const registeredSpan = z.strictObject({ from: date, to: date.nullable() }).superRefine((span, ctx) => orderedSpan(span, ctx));
const specialtySpan = z.strictObject({ code: specialtyCode, from: date, to: date.nullable() }).superRefine((span, ctx) => orderedSpan(span, ctx));
const specialistPoints = z.partialRecord(specialtyCode, points);

export const requirementsInputSchema = z.strictObject(
  {
  period: z
    .strictObject({ from: date, to: date, initial: z.boolean({ error: 'must be true or false' }) })
    .superRefine((period, ctx) => orderedSpan(period, ctx)),
  registered: z.array(registeredSpan, { error: 'must be a list of spans {"from", "to"}' }),
  specialties: z.array(specialtySpan, { error: 'must be a list of entries {"code", "from", "to"}' }).default([]),
  obtained: z.strictObject({ general: points.optional(), specialist: specialistPoints.optional() }).optional(),
  treated: z.strictObject({ general: points.optional(), specialist: specialistPoints.optional() }).optional(),
  },
  { error: 'must be a JSON object {"period", "registered", "specialties", "obtained", "treated"}' },
);

export type ParsedInput = { ok: true; input: RequirementsInput } | { ok: false; problems: string[] };

/** Parses the text of an input file; on failure, one line per problem, each naming where it is. */
export function parseRequirementsInput(text: string): ParsedInput {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    return { ok: false, problems: [`not JSON: ${(error as Error).message}`] };
  }
  const parsed = requirementsInputSchema.safeParse(json, { reportInput: true });
  if (parsed.success) return { ok: true, input: parsed.data };
  return { ok: false, problems: parsed.error.issues.flatMap(describeIssue) };
}

function describeIssue(issue: z.core.$ZodIssue): string[] {
  const where = formatPath(issue.path);
  if (issue.code === 'unrecognized_keys') {
    const last = issue.path[issue.path.length - 1];
    if (last === 'specialist') {
      return issue.keys.map((key) => `${where}: unknown specialty code "${key}" (valid: ${SPECIALTY_CODES.join(', ')})`);
    }
    return issue.keys.map((key) => `${where || 'the input'}: unknown key "${key}"`);
  }
  if (issue.code === 'invalid_type' && issue.input === undefined) return [`${where}: missing`];
  return [`${where || 'the input'}: ${issue.message}`];
}

function formatPath(path: ReadonlyArray<PropertyKey>): string {
  let text = '';
  for (const key of path) {
    if (typeof key === 'number') text += `[${key}]`;
    else text += text ? `.${String(key)}` : String(key);
  }
  return text;
}
