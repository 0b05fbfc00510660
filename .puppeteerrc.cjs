/** pa11y brings puppeteer; it runs Debian's Chromium (CHROMIUM_PATH), never a downloaded browser. */
module.exports = { skipDownload: true };
