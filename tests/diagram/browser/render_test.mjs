// render_test.mjs - render sinew's Mermaid ER diagrams in headless Chromium and fail on any error.
//
//   node render_test.mjs [--screenshots DIR] [--expect-fail FILE]... FILE.mmd[=Name,Name...]...
//
// A page is served on 127.0.0.1 (a free port) with mermaid.min.js from the local node_modules;
// the page may load nothing else (every other request is aborted and counted as a failure).
// For each FILE it asserts that mermaid.parse() accepts it as an ER diagram, mermaid.render()
// produces an <svg> with a box per entity and no error marks, the page logged no error, and the
// SVG's text holds every entity label, attribute name and relationship label declared in the
// file (entity codes such as #35; decoded; and the Names after '=', which must be among them), and
// no entity id is declared twice (Mermaid would merge the two tables into one box). Built-in broken diagrams, and each
// --expect-fail FILE, must be rejected: a checker that accepts them is itself broken.
//
// Environment: SINEW_NODE_MODULES (default ./node_modules beside this script) and CHROMIUM
// (default /usr/bin/chromium).
import { createServer } from 'node:http';
import { readFileSync, writeFileSync, existsSync, mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const nodeModules = path.resolve(process.env.SINEW_NODE_MODULES || path.join(here, 'node_modules'));
const chromiumPath = process.env.CHROMIUM || '/usr/bin/chromium';
const mermaidJs = path.join(nodeModules, 'mermaid', 'dist', 'mermaid.min.js');
const require = createRequire(path.join(nodeModules, 'noop.js'));

// The whole run is bounded: a hung browser must fail the test, not stall CTest.
const watchdog = setTimeout(() => {
    console.error('FAIL: timed out after 150 s');
    process.exit(1);
}, 150_000);

function usage(msg) {
    console.error(`render_test: ${msg}`);
    console.error('usage: node render_test.mjs [--screenshots DIR] [--expect-fail FILE]... FILE.mmd[=Name,...]...');
    process.exit(2);
}

const good = [];
const bad = [];
let shotDir = null;
const argv = process.argv.slice(2);
for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--screenshots') shotDir = argv[++i] ?? usage('--screenshots needs a directory');
    else if (a === '--expect-fail') bad.push({ name: argv[++i] ?? usage('--expect-fail needs a file') });
    else if (a.startsWith('-')) usage(`unknown option ${a}`);
    else {
        const eq = a.lastIndexOf('=');
        const file = eq > 0 ? a.slice(0, eq) : a;
        const names = eq > 0 ? a.slice(eq + 1).split(',').filter(Boolean) : [];
        good.push({ file, names });
    }
}
if (good.length === 0) usage('no diagram given');
if (!existsSync(mermaidJs)) usage(`${mermaidJs} not found (run npm ci first)`);
if (!existsSync(chromiumPath)) usage(`${chromiumPath} not found (apt-get install -y chromium)`);
for (const b of bad) b.text = readFileSync(b.name, 'utf8');

// Diagrams that must not render: if any of these passes, the checks below prove nothing.
const BROKEN = [
    { name: 'built-in: unclosed entity', text: 'erDiagram\n    users["User (users)"] {\n        int64 id PK\n' },
    { name: 'built-in: bad cardinality', text: 'erDiagram\n    users {\n        int64 id PK\n    }\n    posts {\n        int64 id PK\n    }\n    users ||--x{ posts : "author"\n' },
    { name: 'built-in: bad attribute key', text: 'erDiagram\n    users {\n        int64 id PRIMARY\n    }\n' },
    { name: 'built-in: unknown diagram type', text: 'erDiagramm\n    users {\n        int64 id PK\n    }\n' },
];

// Mermaid entity codes (#35; #quot;) as the characters they stand for: sinew escapes what Mermaid
// would read as syntax that way, and the SVG shows the characters.
const NAMED = { quot: '"', amp: '&', lt: '<', gt: '>', nbsp: '\u00a0' };
function decodeEntities(s) {
    return s.replace(/#(\d+);/g, (_, n) => String.fromCodePoint(Number(n)))
        .replace(/#([a-z]+);/gi, (all, n) => NAMED[n.toLowerCase()] ?? all);
}

// What a file declares, read the way sinew writes it (see tests/diagram/golden/*.mmd).
function declared(text) {
    const entities = [];
    const attributes = new Set();
    const relations = new Set();
    let inEntity = false;
    for (const raw of text.split('\n')) {
        const line = raw.trim();
        if (inEntity) {
            if (line === '}') inEntity = false;
            else if (line && !line.startsWith('%%')) attributes.add(line.split(/\s+/)[1]);
            continue;
        }
        let m = /^([A-Za-z_][\w-]*)(?:\["([^"]*)"\])?\s*\{$/.exec(line);
        if (m) {
            entities.push({ id: m[1], label: decodeEntities(m[2] ?? m[1]) });
            inEntity = true;
            continue;
        }
        m = /^\S+\s+[|}o][|o](?:--|\.\.)[|o][|{o]\s+\S+\s*:\s*"?([^"]*)"?$/.exec(line);
        if (m) relations.add(decodeEntities(m[1]));
    }
    return { entities, attributes: [...attributes], relations: [...relations] };
}

const PAGE = `<!doctype html>
<html><head><meta charset="utf-8"><title>sinew mermaid check</title>
<script src="/mermaid.min.js"></script>
</head><body style="margin:0;background:#fff"><div id="out"></div></body></html>
`;

const server = createServer((req, res) => {
    const url = new URL(req.url, 'http://127.0.0.1');
    if (req.method === 'GET' && url.pathname === '/') {
        res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
        res.end(PAGE);
    } else if (req.method === 'GET' && url.pathname === '/mermaid.min.js') {
        res.writeHead(200, { 'content-type': 'text/javascript; charset=utf-8' });
        res.end(readFileSync(mermaidJs));
    } else {
        res.writeHead(404, { 'content-type': 'text/plain' });
        res.end('not found\n');
    }
});
await new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
});
const origin = `http://127.0.0.1:${server.address().port}`;

const { chromium } = require('playwright-core');
const browser = await chromium.launch({
    executablePath: chromiumPath,
    headless: true,
    timeout: 60_000,
    args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--no-first-run'],
});

let passed = 0;
let failed = 0;
let pageErrors = [];
try {
    const page = await browser.newPage({ viewport: { width: 1600, height: 1200 } });
    page.on('console', (msg) => {
        if (msg.type() === 'error') pageErrors.push(`console.error: ${msg.text()}`);
    });
    page.on('pageerror', (err) => pageErrors.push(`page error: ${err.message}`));
    page.on('requestfailed', (r) => {
        if (r.url().startsWith(origin)) pageErrors.push(`request failed: ${r.url()}`);
    });
    // Loopback only: anything that is not our own server is refused and counted.
    await page.route('**/*', (route) => {
        const url = route.request().url();
        if (url.startsWith(origin + '/')) return route.continue();
        pageErrors.push(`blocked request to ${url}`);
        return route.abort();
    });
    const resp = await page.goto(origin + '/', { waitUntil: 'load', timeout: 30_000 });
    if (!resp || !resp.ok()) throw new Error(`page did not load: ${resp && resp.status()}`);
    await page.waitForFunction(() => typeof window.mermaid === 'object', null, { timeout: 30_000 });
    await page.evaluate(() => window.mermaid.initialize({ startOnLoad: false, securityLevel: 'strict' }));
    const version = JSON.parse(readFileSync(path.join(nodeModules, 'mermaid', 'package.json'), 'utf8')).version;
    if (pageErrors.length) throw new Error(`page errors while loading mermaid:\n  ${pageErrors.join('\n  ')}`);
    console.log(`mermaid ${version} in ${await browser.version()} at ${origin}`);

    // In the page: parse, render, insert the SVG and measure it. Never throws; reports instead.
    const renderInPage = async ([text, id]) => {
        const out = { error: null };
        const holder = document.getElementById('out');
        holder.replaceChildren();
        try {
            const parsed = await window.mermaid.parse(text);
            out.diagramType = parsed && parsed.diagramType;
            const { svg } = await window.mermaid.render(id, text);
            out.svgLength = svg.length;
            holder.innerHTML = svg;
            const el = holder.querySelector(':scope > svg');
            if (!el) return out;
            const box = el.getBBox();
            out.svg = { width: box.width, height: box.height };
            out.text = el.textContent.replace(/\s+/g, ' ');
            out.errorMarks = el.querySelectorAll('.error-icon, .error-text').length;
            out.entityBoxes = [...el.querySelectorAll('g.node')]
                .map((g) => g.getBBox())
                .filter((b) => b.width > 0 && b.height > 0).length;
        } catch (e) {
            out.error = String((e && e.message) || e);
        } finally {
            // mermaid leaves its scratch element behind when render throws
            for (const d of document.querySelectorAll(`#d${id}, #${id}`)) if (!holder.contains(d)) d.remove();
        }
        return out;
    };

    let n = 0;
    for (const { file, names } of good) {
        const id = `sinew${n++}`;
        const text = readFileSync(file, 'utf8');
        const want = declared(text);
        const problems = [];
        pageErrors = [];
        const r = await page.evaluate(renderInPage, [text, id]);
        if (r.error) problems.push(`mermaid error: ${r.error}`);
        else {
            if (r.diagramType !== 'er') problems.push(`parsed as '${r.diagramType}', not an ER diagram`);
            if (!r.svg) problems.push('no <svg> produced');
            else {
                if (!(r.svg.width > 0 && r.svg.height > 0)) problems.push(`empty SVG (${r.svg.width}x${r.svg.height})`);
                if (r.errorMarks) problems.push(`SVG holds ${r.errorMarks} error marks`);
                if (/syntax error/i.test(r.text)) problems.push('SVG says "Syntax error"');
                if (want.entities.length === 0) problems.push('file declares no entity');
                const seen = new Map();
                for (const e of want.entities) seen.set(e.id, (seen.get(e.id) ?? 0) + 1);
                const dups = [...seen].filter(([, c]) => c > 1).map(([id]) => id);
                if (dups.length) problems.push(`entity ids declared more than once (tables merged): ${dups.join(', ')}`);
                if (r.entityBoxes !== want.entities.length)
                    problems.push(`${r.entityBoxes} entity boxes drawn, ${want.entities.length} declared`);
                const missing = (kind, list) => {
                    const gone = list.filter((s) => !r.text.includes(s.replace(/\s+/g, ' ')));
                    if (gone.length) problems.push(`${kind} missing from the SVG: ${gone.join(', ')}`);
                };
                missing('entities', want.entities.map((e) => e.label));
                missing('attributes', want.attributes);
                missing('relationship labels', want.relations);
                const ids = new Set(want.entities.map((e) => e.label.split(' ')[0]));
                const undeclared = names.filter((nm) => !ids.has(nm));
                if (undeclared.length) problems.push(`expected entities not declared: ${undeclared.join(', ')}`);
                missing('expected entities', names);
            }
        }
        problems.push(...pageErrors);
        if (shotDir && r.svg) {
            mkdirSync(shotDir, { recursive: true });
            const png = path.join(shotDir, path.basename(file).replace(/\.mmd$/, '') + '.png');
            await page.locator('#out > svg').screenshot({ path: png, timeout: 30_000 });
        }
        const what = `${file} (${want.entities.length} entities, ${want.attributes.length} attribute names, ` +
            `${want.relations.length} relationship labels${names.length ? `, named: ${names.join(' ')}` : ''})`;
        if (problems.length === 0) {
            passed++;
            console.log(`ok   render ${what}: svg ${Math.round(r.svg.width)}x${Math.round(r.svg.height)}`);
        } else {
            failed++;
            console.log(`FAIL render ${what}\n  ${problems.join('\n  ')}`);
        }
    }

    for (const b of [...BROKEN, ...bad]) {
        pageErrors = [];
        const r = await page.evaluate(renderInPage, [b.text, `sinew${n++}`]);
        if (r.error) {
            passed++;
            console.log(`ok   reject ${b.name}: ${r.error.replace(/\s*\n[-\s^]*/g, ' | ').slice(0, 160)}`);
        } else {
            failed++;
            console.log(`FAIL reject ${b.name}: mermaid rendered it without an error`);
        }
    }
} catch (e) {
    failed++;
    console.log(`FAIL ${e && e.stack ? e.stack : e}`);
} finally {
    await browser.close().catch(() => {});
    server.close();
    clearTimeout(watchdog);
}

console.log(`mermaid: ${passed} passed, ${failed} failed`);
process.exit(failed === 0 && passed > 0 ? 0 : 1);
