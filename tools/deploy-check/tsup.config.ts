import { libraryConfig } from '../../tools/build/tsup.base.ts';

export default libraryConfig({ entry: ['src/index.ts', 'src/cli.ts'] });
