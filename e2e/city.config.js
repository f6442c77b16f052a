// @ts-check
// The end-to-end run at city scale (SPEC §10): the same browser against a server holding the
// data set of `lotsen-server city` (200 topics, 2,000 Lotsen, 10,000 requests). `cargo xtask
// test` starts that server and sets BASE_URL. For behaviour at that size, not for timing.
const base = require('./playwright.config.js');

module.exports = {
  ...base,
  testDir: './city',
  timeout: 120_000,
  expect: { timeout: 20_000 },
};
