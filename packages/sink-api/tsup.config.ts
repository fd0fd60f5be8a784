import { libraryConfig } from '../../tools/build/tsup.base.ts';

export default libraryConfig({
  entry: {
    index: 'src/index.ts',
    testing: 'src/testing/index.ts',
    conformance: 'src/conformance/index.ts',
  },
});
