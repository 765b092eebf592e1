// Console errors that are known, reported and not yet fixed. Each entry is matched narrowly (text, version,
// where it comes from), printed on every run as "known issue", and reported as "no longer seen" once it
// stops happening, so the entry can be deleted. Anything not listed here fails test 4.
//
// It comes from React's development build (the e2e sites run with SCRIPT_DEBUG, so React reports its
// warnings); the production build that sites normally load stays silent about them.
export const KNOWN_ISSUES = [
  {
    id: 'wp61-next40px-prop',
    versions: ['6.1'],
    about:
      'blocks/src passes __next40pxDefaultSize to TextControl; WordPress 6.1\'s TextControl does not know the prop and ' +
      'hands it on to the <input>, so React 17 warns "React does not recognize the `__next40pxDefaultSize` prop on a DOM element"',
    match: (e) => /React does not recognize the `%s` prop on a DOM element/.test(e.text) && /__next40pxDefaultSize/.test(e.text),
  },
];
