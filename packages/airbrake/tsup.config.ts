import { libraryConfig } from '../../tools/build/tsup.base.ts';

export default libraryConfig();
