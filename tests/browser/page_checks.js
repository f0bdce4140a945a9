// What the phone tests check on a rendered staff page, in the page itself. Returns a list of
// problems (empty when the page passes) and the SVG images to check from the test.
// Argument 0: true when the page is in Chinese (then nav and headings must hold no English).
const chinese = arguments[0];
const W = document.documentElement.clientWidth;
const problems = [];
const describe = (el) => {
  const text = (el.innerText || el.value || el.getAttribute('aria-label') || el.name || '').trim().slice(0, 40);
  return `<${el.tagName.toLowerCase()}${el.id ? '#' + el.id : ''}> "${text}"`;
};

// No sideways scrolling of the page.
const sw = document.documentElement.scrollWidth;
if (sw > W + 1) problems.push(`the page scrolls sideways: ${sw} px wide on a ${W} px screen`);

// Every visible control inside the screen, and big enough to touch.
for (const el of document.querySelectorAll('a[href], button, input:not([type=hidden]), select, textarea, summary')) {
  const r = el.getBoundingClientRect();
  const style = getComputedStyle(el);
  // Not shown: inside a closed <details> (its content is `content-visibility: hidden`, which
  // keeps a layout box), display:none, or visibility:hidden.
  if (!el.checkVisibility({ visibilityProperty: true }) || (r.width === 0 && r.height === 0)) continue;
  // A scrolling box (e.g. a wide table in .wide) clips what sticks out: that is still off screen.
  if (r.left < -1 || r.right > W + 1) problems.push(`off screen (${Math.round(r.left)}..${Math.round(r.right)}): ${describe(el)}`);
  // WCAG 2.5.8: 24×24 px, except links inside running text.
  const inlineLink = el.tagName === 'A' && style.display === 'inline';
  if (!inlineLink && (r.width < 24 || r.height < 24)) problems.push(`touch target ${Math.round(r.width)}×${Math.round(r.height)} px: ${describe(el)}`);
}

// No English words in the nav and headings when Chinese is chosen. Names shared by both
// languages are allowed: the product, the other language's name, abbreviations.
if (chinese) {
  const allowed = new Set(['manyi', 'English', 'API', 'NPS', 'CSAT', 'CSV', 'SVG', 'QR', 'HTTP', 'ID', 'URL', 'POS']);
  const seen = new Set();
  for (const el of document.querySelectorAll('nav, h1, h2, h3, th, button, summary, legend, label')) {
    // Shown text only, leaving out names and data marked translate="no" (a username, a code).
    const walker = document.createTreeWalker(el, NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      const parent = node.parentElement;
      if (seen.has(node) || !parent.checkVisibility() || parent.closest('[translate=no]')) continue;
      seen.add(node);
      for (const word of node.textContent.match(/[A-Za-z]{2,}/g) || []) {
        if (!allowed.has(word)) problems.push(`English word "${word}" in ${describe(el)}`);
      }
    }
  }
}

// Chart text as rendered: font size in user units times the SVG's scale on screen.
let chartTexts = 0;
for (const t of document.querySelectorAll('svg text')) {
  if (!t.checkVisibility() || !(t.textContent || '').trim()) continue;
  const m = t.getScreenCTM();
  chartTexts += 1;
  const px = parseFloat(getComputedStyle(t).fontSize) * Math.hypot(m.a, m.b);
  if (px < 11 - 0.01) problems.push(`chart text at ${px.toFixed(1)} px: "${t.textContent.trim().slice(0, 30)}"`);
}

// Charts drawn as images: the test fetches each and scales its text by the drawn width.
const images = [...document.querySelectorAll('img')]
  .filter((img) => /\.svg(\?|$)/.test(img.getAttribute('src') || ''))
  .map((img) => ({ src: img.src, width: img.getBoundingClientRect().width }));

return { problems, images, chartTexts, lang: document.documentElement.lang };
