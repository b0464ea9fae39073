// The MetadataManager exploration with the deep budget (npm run test:deep): PCT 300 schedules, exhaustive search to the end, shrinking.
import './metadataManager.test.js';
