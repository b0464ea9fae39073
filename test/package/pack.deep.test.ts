// The long run of pack.test.ts (npm run test:deep): the installed command's every --help, one
// explore thread against two, a race's trace replayed and stepped back, every error class (cli.ts).
import './pack.test.js';
