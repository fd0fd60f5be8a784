import { libraryConfig } from '../../tools/build/tsup.base.ts';

// shims: gives the CJS build a working import.meta.url, which locates the shipped CA bundles.
export default libraryConfig({ shims: true });
