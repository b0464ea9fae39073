// The NameChanger exploration with the deep budget (npm run test:deep).
import './nameChanger.test.js';
