import { cellText } from '../reports/csv.ts';
import { html, type Html } from './html.ts';

export interface Column<Row> {
  label: string;
  value: (row: Row) => unknown;
  numeric?: boolean;
}

/** A table with a caption and column headers; cells escaped unless they are Html. */
export function table<Row>(caption: string, columns: ReadonlyArray<Column<Row>>, rows: readonly Row[], empty: string): Html {
  if (!rows.length) return html`<p class="muted">${empty}</p>`;
  return html`<table><caption>${caption}</caption>
<thead><tr>${columns.map((c) => html`<th scope="col"${c.numeric ? html` class="num"` : ''}>${c.label}</th>`)}</tr></thead>
<tbody>${rows.map(
    (row) =>
      html`<tr>${columns.map((c) => {
        const value = c.value(row);
        return html`<td${c.numeric ? html` class="num"` : ''}>${value instanceof Date ? value.toISOString() : (value as string)}</td>`;
      })}</tr>`,
  )}</tbody></table>`;
}

/** Columns straight from report rows' keys. */
export function keyColumns(keys: readonly string[]): Array<Column<Record<string, unknown>>> {
  return keys.map((key) => ({ label: key, value: (row) => cellText(row[key], 'table') }));
}

export function pager(base: string, page: number, pages: number): Html {
  if (pages <= 1) return html``;
  const join = base.includes('?') ? '&' : '?';
  return html`<nav class="pager" aria-label="Pages">
${page > 1 ? html`<a href="${base}${join}page=${page - 1}" rel="prev">Newer / previous page</a>` : ''}
<span>Page ${page} of ${pages}</span>
${page < pages ? html`<a href="${base}${join}page=${page + 1}" rel="next">Next page</a>` : ''}</nav>`;
}
