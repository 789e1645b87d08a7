// GET /docs: the OpenAPI document as one self-contained HTML page, rendered
// on the server from the document itself (so it cannot disagree with it).
//
// No script and no external resource of any kind: many deployments are
// offline, and a docs page has no reason to run code. The CSP allows exactly
// the one inline stylesheet, by its hash (stable, so the page can be cached).
// Every interpolated string is escaped by hono/html; `raw` is only given the
// constant stylesheet.
import { html, raw } from 'hono/html';
import type { HtmlEscapedString } from 'hono/utils/html';
import type {
  OpenApiDocument,
  OperationObject,
  ParameterObject,
  Reference,
  ResponseObject,
} from './openapi-types.ts';
import { HTTP_METHODS } from './openapi-types.ts';
import { alternatives, propertyRows, summarizeSchema, type SummaryPart } from './schema-summary.ts';

type Html = HtmlEscapedString | Promise<HtmlEscapedString>;

export const DOCS_STYLES = `
body{font:15px/1.5 system-ui,sans-serif;margin:0;color:#1b1f24;background:#fff}
main{max-width:62rem;margin:0 auto;padding:1rem 1.25rem 4rem}
h1{margin:.5rem 0 0}h2{margin-top:2.5rem;border-bottom:1px solid #d0d7de}
h3{margin:1.75rem 0 .25rem;font-size:1rem}
code,.path{font-family:ui-monospace,monospace;font-size:.9em}
.method{display:inline-block;min-width:3.5rem;font:600 .8rem ui-monospace,monospace;text-transform:uppercase}
.get{color:#0a5d2a}.post{color:#8a4b00}
table{border-collapse:collapse;width:100%;margin:.35rem 0 .75rem;font-size:.9rem}
th,td{text-align:left;vertical-align:top;border-top:1px solid #eaeef2;padding:.25rem .5rem .25rem 0}
th{font-weight:600;color:#57606a}
.muted{color:#57606a}.req{color:#b42318}
nav ul{columns:2;padding-left:1.2rem}
@media (prefers-color-scheme:dark){body{background:#0d1117;color:#e6edf3}.muted,th{color:#9198a1}
a{color:#4493f8}.get{color:#3fb950}.post{color:#d29922}td,th{border-color:#30363d}}
`;

function deref<T>(item: T | Reference, table: Record<string, T>, prefix: string): T | undefined {
  if (typeof item === 'object' && item !== null && '$ref' in item) {
    const ref = item.$ref;
    return ref.startsWith(prefix) ? table[ref.slice(prefix.length)] : undefined;
  }
  return item;
}

const tagAnchor = (name: string) => `tag-${name.toLowerCase().replace(/[^a-z0-9]+/g, '-')}`;

/** Text with `backtick` spans as <code>, everything escaped. */
function prose(text: string | undefined): Html {
  const parts = (text ?? '').split('`');
  return html`${parts.map((part, i) => (i % 2 === 1 ? html`<code>${part}</code>` : part))}`;
}

function typeHtml(parts: SummaryPart[]): Html {
  return html`${parts.map((part) =>
    'ref' in part ? html`<a href="#schema-${part.ref}">${part.ref}</a>` : part.text,
  )}`;
}

function parametersHtml(doc: OpenApiDocument, operation: OperationObject): Html {
  const parameters = (operation.parameters ?? [])
    .map((p) => deref<ParameterObject>(p, doc.components.parameters, '#/components/parameters/'))
    .filter((p): p is ParameterObject => p !== undefined);
  if (parameters.length === 0) return html``;
  return html`<table>
    <tr>
      <th>Parameter</th>
      <th>In</th>
      <th>Type</th>
      <th>Description</th>
    </tr>
    ${parameters.map(
      (p) =>
        html`<tr>
          <td>
            <code>${p.name}</code
            >${p.required === true ? html` <span class="req">required</span>` : ''}
          </td>
          <td>${p.in}</td>
          <td>${typeHtml(summarizeSchema(p.schema))}</td>
          <td>${prose(p.description)}</td>
        </tr>`,
    )}
  </table>`;
}

function contentHtml(content: ResponseObject['content']): Html {
  if (content === undefined) return html``;
  return html`${Object.entries(content).map(
    ([type, media], index) =>
      html`${index === 0 ? '' : ', '}<code>${type}</code>${
        media.schema === undefined ? '' : html` ${typeHtml(summarizeSchema(media.schema))}`
      }`,
  )}`;
}

function operationHtml(
  doc: OpenApiDocument,
  method: string,
  path: string,
  op: OperationObject,
): Html {
  const auth = (op.security ?? doc.security)
    .map((requirement) => Object.keys(requirement).join(' + ') || 'none')
    .join(' or ');
  const body = op.requestBody;
  return html`<section id="op-${op.operationId}">
    <h3><span class="method ${method}">${method}</span> <span class="path">${path}</span></h3>
    <p>
      ${prose(op.summary)}${
        op.description === undefined
          ? ''
          : html`. <span class="muted">${prose(op.description)}</span>`
      }
    </p>
    <p class="muted">Authentication: ${auth}</p>
    ${parametersHtml(doc, op)}
    ${
      body === undefined
        ? ''
        : html`<p>
            Request body${body.required === true ? html` <span class="req">required</span>` : ''}:
            ${contentHtml(body.content)}. <span class="muted">${prose(body.description)}</span>
          </p>`
    }
    <table>
      <tr>
        <th>Status</th>
        <th>Answer</th>
        <th>Content</th>
      </tr>
      ${Object.entries(op.responses).map(([status, item]) => {
        const response = deref<ResponseObject>(
          item,
          doc.components.responses,
          '#/components/responses/',
        );
        return html`<tr>
          <td>${status}</td>
          <td>${prose(response?.description)}</td>
          <td>${contentHtml(response?.content)}</td>
        </tr>`;
      })}
    </table>
  </section>`;
}

function schemaHtml(name: string, schema: unknown): Html {
  const variants = alternatives(schema);
  return html`<section id="schema-${name}">
    <h3>${name}</h3>
    ${variants.map((variant) => {
      const rows = propertyRows(variant);
      if (rows.length === 0) return html`<p><code>${typeHtml(summarizeSchema(variant))}</code></p>`;
      return html`<table>
        <tr>
          <th>Field</th>
          <th>Type</th>
          <th>Description</th>
        </tr>
        ${rows.map(
          (row) =>
            html`<tr>
              <td>
                <code>${row.name}</code
                >${row.required ? '' : html` <span class="muted">optional</span>`}
              </td>
              <td>${typeHtml(row.type)}</td>
              <td>${prose(row.description)}</td>
            </tr>`,
        )}
      </table>`;
    })}
  </section>`;
}

export async function renderDocsPage(doc: OpenApiDocument): Promise<string> {
  const operations = Object.entries(doc.paths).flatMap(([path, item]) =>
    HTTP_METHODS.flatMap((method) => {
      const op = item[method];
      return op === undefined ? [] : [{ path, method, op }];
    }),
  );
  const page = await html`<!doctype html>
    <html lang="en">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <title>${doc.info.title} API ${doc.info.version}</title>
        <style>
          ${raw(DOCS_STYLES)}
        </style>
      </head>
      <body>
        <main>
          <h1>${doc.info.title} API <span class="muted">${doc.info.version}</span></h1>
          <p>${prose(doc.info.description)}</p>
          <p>
            Machine-readable: <a href="/openapi.json">/openapi.json</a> (OpenAPI ${doc.openapi}).
          </p>
          <nav>
            <ul>
              ${doc.tags.map((tag) => html`<li><a href="#${tagAnchor(tag.name)}">${tag.name}</a></li>`)}
              <li><a href="#schemas">Schemas</a></li>
            </ul>
          </nav>
          ${doc.tags.map(
            (tag) =>
              html`<h2 id="${tagAnchor(tag.name)}">${tag.name}</h2>
                <p class="muted">${tag.description}</p>
                ${operations
                  .filter(({ op }) => op.tags.includes(tag.name))
                  .map(({ path, method, op }) => operationHtml(doc, method, path, op))}`,
          )}
          <h2 id="schemas">Schemas</h2>
          ${Object.entries(doc.components.schemas).map(([name, schema]) => schemaHtml(name, schema))}
        </main>
      </body>
    </html>`;
  return page.toString();
}

/** The CSP source for the page's one stylesheet (CSP3 hash-source). */
export async function docsStyleHash(): Promise<string> {
  const digest = await crypto.subtle.digest('SHA-256', new TextEncoder().encode(DOCS_STYLES));
  let binary = '';
  for (const byte of new Uint8Array(digest)) binary += String.fromCharCode(byte);
  return `'sha256-${btoa(binary)}'`;
}
