/**
 * A report as data (sections of facts, tables, plots and notes) and its two renderings: one
 * self-contained HTML page (inline CSS, inline SVG, no scripts or remote assets) and Markdown (plots
 * embedded as SVG data URIs), so a card opens from a file, an e-mail or a repository alike.
 */

/** A table of text cells; `columns` are its headers. */
export interface ReportTable {
  caption?: string;
  columns: string[];
  rows: string[][];
}

/** A rendered plot: a title and a standalone SVG document. */
export interface ReportPlot {
  title: string;
  svg: string;
}

export interface ReportSection {
  /** Stable id, used as the HTML anchor and by tests to find the section (`metrics`, `lineage`, …). */
  id: string;
  title: string;
  /** Label → value pairs, shown as a definition list. */
  facts?: [string, string][];
  tables?: ReportTable[];
  plots?: ReportPlot[];
  /** Free paragraphs (plain text, escaped). */
  paragraphs?: string[];
}

export interface ReportDocument {
  title: string;
  subtitle?: string;
  /** ISO-8601 time the document was made. */
  generatedAt: string;
  sections: ReportSection[];
}

const HTML_ESCAPES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};

/** Escapes text for HTML element content and attribute values. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => HTML_ESCAPES[c]);
}

const STYLE = `
body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",sans-serif;margin:0;color:#1d2330;background:#f6f7f9}
header{background:#1d2330;color:#fff;padding:20px 32px}header h1{margin:0;font-size:22px}header p{margin:4px 0 0;color:#c9d1e0}
nav{padding:8px 32px;background:#e9ecf2;font-size:13px}nav a{margin-right:14px;color:#34507a}
main{padding:8px 32px 40px;max-width:1100px}section{background:#fff;border:1px solid #dde2ea;border-radius:6px;margin:16px 0;padding:12px 20px}
h2{font-size:17px;margin:6px 0 10px}dl{display:grid;grid-template-columns:max-content auto;gap:2px 16px;margin:0 0 10px}
dt{color:#5a6477}dd{margin:0;font-family:ui-monospace,monospace;font-size:13px;overflow-wrap:anywhere}
table{border-collapse:collapse;margin:8px 0 12px;font-size:13px}caption{text-align:left;color:#5a6477;padding:2px 0}
th,td{border-bottom:1px solid #e3e7ee;padding:3px 10px;text-align:left}th{background:#f0f2f6}
figure{display:inline-block;margin:6px 16px 6px 0;vertical-align:top}figcaption{color:#5a6477;font-size:12px}
`;

/** The document as one self-contained HTML page. */
export function renderHtml(doc: ReportDocument): string {
  const nav = doc.sections.map((s) => `<a href="#${escapeHtml(s.id)}">${escapeHtml(s.title)}</a>`).join('');
  const sections = doc.sections.map(sectionHtml).join('\n');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(doc.title)}</title>
<meta name="generator" content="quiver"><style>${STYLE}</style></head>
<body><header><h1>${escapeHtml(doc.title)}</h1>${doc.subtitle ? `<p>${escapeHtml(doc.subtitle)}</p>` : ''}<p>generated ${escapeHtml(doc.generatedAt)}</p></header>
<nav>${nav}</nav><main>
${sections}
</main></body></html>
`;
}

function sectionHtml(section: ReportSection): string {
  const parts: string[] = [`<section id="${escapeHtml(section.id)}"><h2>${escapeHtml(section.title)}</h2>`];
  for (const p of section.paragraphs ?? []) parts.push(`<p>${escapeHtml(p)}</p>`);
  if (section.facts?.length) {
    parts.push(
      '<dl>' +
        section.facts.map(([k, v]) => `<dt>${escapeHtml(k)}</dt><dd>${escapeHtml(v)}</dd>`).join('') +
        '</dl>',
    );
  }
  for (const table of section.tables ?? []) parts.push(tableHtml(table));
  for (const plot of section.plots ?? []) {
    // The SVG comes from Vega's renderer, not from user text: it is inlined as markup.
    parts.push(
      `<figure class="plot">${stripXmlProlog(plot.svg)}<figcaption>${escapeHtml(plot.title)}</figcaption></figure>`,
    );
  }
  parts.push('</section>');
  return parts.join('\n');
}

function tableHtml(table: ReportTable): string {
  const head = table.columns.map((c) => `<th>${escapeHtml(c)}</th>`).join('');
  const body = table.rows
    .map((row) => '<tr>' + row.map((cell) => `<td>${escapeHtml(cell)}</td>`).join('') + '</tr>')
    .join('');
  const caption = table.caption ? `<caption>${escapeHtml(table.caption)}</caption>` : '';
  return `<table>${caption}<thead><tr>${head}</tr></thead><tbody>${body}</tbody></table>`;
}

function stripXmlProlog(svg: string): string {
  return svg.replace(/^<\?xml[^>]*>\s*/, '');
}

/** The document as Markdown (GitHub flavour): tables as pipe tables, plots as SVG data-URI images. */
export function renderMarkdown(doc: ReportDocument): string {
  const lines: string[] = [`# ${doc.title}`, ''];
  if (doc.subtitle) lines.push(doc.subtitle, '');
  lines.push(`_generated ${doc.generatedAt}_`, '');
  for (const section of doc.sections) {
    lines.push(`## ${section.title}`, '');
    for (const p of section.paragraphs ?? []) lines.push(p, '');
    if (section.facts?.length) {
      for (const [k, v] of section.facts) lines.push(`- **${markdownCell(k)}**: ${markdownCell(v)}`);
      lines.push('');
    }
    for (const table of section.tables ?? []) {
      if (table.caption) lines.push(`_${markdownCell(table.caption)}_`, '');
      lines.push(`| ${table.columns.map(markdownCell).join(' | ')} |`);
      lines.push(`|${table.columns.map(() => ' --- ').join('|')}|`);
      for (const row of table.rows) lines.push(`| ${row.map(markdownCell).join(' | ')} |`);
      lines.push('');
    }
    for (const plot of section.plots ?? []) {
      const uri = `data:image/svg+xml;base64,${Buffer.from(plot.svg).toString('base64')}`;
      lines.push(`![${markdownCell(plot.title)}](${uri})`, '');
    }
  }
  return lines.join('\n');
}

function markdownCell(text: string): string {
  return text.replace(/\|/g, '\\|').replace(/\r?\n/g, ' ');
}
