// Counts, in Chromium, the code blocks of a built docs site wider than their box (scrollWidth >
// clientWidth: a horizontal scrollbar) and the tables that scroll, page by page; exits 1 if a code
// block scrolls. It checks in a real browser what docs/hooks.py checks by counting characters.
// Not part of .ci/run: it needs node, npm's playwright-core and Debian's chromium.
//
//   make docs && (cd site && python3 -m http.server 8000 &)
//   npm install --prefix /tmp/pw playwright-core
//   NODE_PATH=/tmp/pw/node_modules node .ci/browser/check_code_overflow.js http://127.0.0.1:8000 site 1400
const { chromium } = require('playwright-core');
const fs = require('fs');
const path = require('path');
const [base, siteDir, widthArg] = process.argv.slice(2);
const width = Number(widthArg || 1400);
function pages(dir, rel = '') {
  let out = [];
  for (const e of fs.readdirSync(path.join(dir, rel), { withFileTypes: true })) {
    const r = path.join(rel, e.name);
    if (e.isDirectory()) out = out.concat(pages(dir, r));
    else if (e.name === 'index.html' && !r.startsWith('assets') && !r.startsWith('search')) out.push(r.replace(/index\.html$/, ''));
  }
  return out.sort();
}
(async () => {
  const browser = await chromium.launch({ executablePath: '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
           '--disable-component-update', '--disable-sync'] });
  const page = await browser.newPage({ viewport: { width, height: 1000 } });
  let total = 0, wide = 0, wideTables = 0;
  for (const p of pages(siteDir)) {
    await page.goto(base + '/' + p, { waitUntil: 'load' });
    const r = await page.evaluate(() => {
      const blocks = [...document.querySelectorAll('article pre > code')];
      const over = blocks.filter(c => c.scrollWidth > c.clientWidth).map(c => {
        const longest = c.innerText.split('\n').reduce((a, b) => (b.length > a.length ? b : a), '');
        return longest.length + ': ' + longest.slice(0, 60);
      });
      const tables = [...document.querySelectorAll('article .md-typeset__scrollwrap')].filter(w => w.scrollWidth > w.clientWidth + 1)
        .map(w => 'table: ' + w.innerText.split('\n')[0].slice(0, 60));
      return { n: blocks.length, over: over, tables };
    });
    total += r.n; wide += r.over.length; wideTables += r.tables.length;
    if (r.tables.length) console.log(`${p || '/'}: ${r.tables.length} tables scroll`), r.tables.forEach(o => console.log('    ' + o));
    if (r.over.length) console.log(`${p || '/'}: ${r.over.length}/${r.n} code blocks scroll`), r.over.forEach(o => console.log('    ' + o));
  }
  console.log(`TOTAL at ${width}px: ${wide} of ${total} code blocks wider than their box; ${wideTables} tables scroll`);
  await browser.close();
  process.exitCode = wide ? 1 : 0;
})();
