import { Html, html } from './html.ts';
import type { Role } from './users.ts';

export interface Viewer {
  name: string;
  role: Role;
}

const NAV: Array<{ href: string; label: string; operator?: boolean }> = [
  { href: '/', label: 'Overview' },
  { href: '/batches', label: 'Batches' },
  { href: '/reports/held', label: 'Held' },
  { href: '/reports/late', label: 'Late' },
  { href: '/reports/rejected', label: 'Rejected' },
  { href: '/reports/rejects', label: 'Rejects' },
  { href: '/reports/sla', label: 'SLA' },
  { href: '/trace', label: 'Trace' },
  { href: '/chart', label: 'Chart' },
  { href: '/audit', label: 'Audit' },
  { href: '/end-of-cycle', label: 'End of cycle', operator: true },
  { href: '/deliveries', label: 'Deliveries', operator: true },
  { href: '/queue', label: 'Queue', operator: true },
];

const STYLE = `
:root { color-scheme: light; --ink: #1b1f24; --muted: #57606a; --line: #d0d7de; --accent: #0b5cad; --warn-bg: #fff4e5; --warn: #8a4b00; --ok: #1a7f37; }
* { box-sizing: border-box; }
body { margin: 0; font: 15px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: var(--ink); background: #fff; }
a { color: var(--accent); }
a:focus, button:focus, input:focus, select:focus { outline: 3px solid #f5a623; outline-offset: 1px; }
.skip { position: absolute; left: -999px; } .skip:focus { left: 8px; top: 8px; background: #fff; padding: 4px 8px; }
header { background: #102a43; color: #fff; padding: 8px 20px; display: flex; flex-wrap: wrap; align-items: center; gap: 8px 20px; }
header .brand { font-weight: 700; margin-right: 12px; }
header nav ul { list-style: none; margin: 0; padding: 0; display: flex; flex-wrap: wrap; gap: 2px 14px; }
header nav a { color: #d9e8ff; text-decoration: none; padding: 2px 0; }
header nav a[aria-current="page"] { color: #fff; border-bottom: 2px solid #f5a623; }
header .who { margin-left: auto; display: flex; gap: 10px; align-items: center; font-size: 14px; }
header .who button { background: none; border: 1px solid #9fb3c8; color: #fff; border-radius: 4px; padding: 2px 10px; cursor: pointer; }
main { padding: 16px 20px 40px; max-width: 1400px; }
h1 { font-size: 24px; margin: 4px 0 12px; } h2 { font-size: 18px; margin: 22px 0 8px; }
table { border-collapse: collapse; width: 100%; margin: 6px 0 10px; font-size: 14px; }
caption { text-align: left; color: var(--muted); padding: 4px 0; }
th, td { border-bottom: 1px solid var(--line); padding: 5px 8px; text-align: left; vertical-align: top; }
th { background: #f6f8fa; font-weight: 600; white-space: nowrap; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; }
.warnings { list-style: none; padding: 0; margin: 0 0 12px; }
.warnings li { background: var(--warn-bg); color: var(--warn); border-left: 5px solid #d97706; padding: 8px 12px; margin: 0 0 6px; font-weight: 500; }
.ok { color: var(--ok); } .muted { color: var(--muted); }
.notice { background: #eef6ff; border-left: 5px solid var(--accent); padding: 8px 12px; margin: 8px 0; }
.error { background: #ffebe9; border-left: 5px solid #cf222e; padding: 8px 12px; margin: 8px 0; color: #82071e; }
form.inline { display: inline; }
label { font-weight: 600; margin-right: 6px; }
input[type=text], input[type=password], input[type=search] { font: inherit; padding: 5px 8px; border: 1px solid #8c959f; border-radius: 4px; min-width: 16em; }
button { font: inherit; padding: 5px 14px; border-radius: 4px; border: 1px solid #1f6feb; background: #0b5cad; color: #fff; cursor: pointer; }
button[disabled] { background: #8c959f; border-color: #8c959f; cursor: not-allowed; }
.pager { display: flex; gap: 14px; align-items: center; margin: 8px 0; }
.login { max-width: 360px; margin: 60px auto; } .login p { margin: 10px 0; } .login input { width: 100%; }
dl.facts { display: grid; grid-template-columns: max-content 1fr; gap: 4px 16px; } dl.facts dt { font-weight: 600; } dl.facts dd { margin: 0; }
`;

export interface PageOptions {
  title: string;
  /** The path of the nav entry to mark as current. */
  current?: string;
  viewer?: Viewer;
  csrf?: string;
}

export function page(options: PageOptions, body: Html): string {
  const viewer = options.viewer;
  const nav = viewer
    ? html`<nav aria-label="Console"><ul>${NAV.filter((item) => !item.operator || viewer.role === 'operator').map(
        (item) => html`<li><a href="${item.href}"${item.href === options.current ? html` aria-current="page"` : ''}>${item.label}</a></li>`,
      )}</ul></nav>
      <div class="who"><span>${viewer.name} (${viewer.role})</span>
        <form class="inline" method="post" action="/logout"><input type="hidden" name="_csrf" value="${options.csrf ?? ''}"><button type="submit">Log out</button></form></div>`
    : '';
  return `<!doctype html>\n${html`<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${options.title} · CET uploader console</title><style>${new Html(STYLE)}</style></head>
<body><a class="skip" href="#main">Skip to content</a>
<header><span class="brand">CET uploader</span>${nav}</header>
<main id="main"><h1>${options.title}</h1>
${body}
</main></body></html>`}`;
}
