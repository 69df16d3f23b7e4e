// A node:test reporter that counts leaf tests (suites are not tests) and writes one JSON line.
export default async function* countReporter(source) {
  let passed = 0;
  let failed = 0;
  for await (const event of source) {
    if (event.type !== 'test:pass' && event.type !== 'test:fail') continue;
    if (event.data.details?.type === 'suite') continue;
    if (event.type === 'test:pass') { if (!event.data.skip && !event.data.todo) passed++; }
    else failed++;
  }
  yield JSON.stringify({ passed, failed });
}
