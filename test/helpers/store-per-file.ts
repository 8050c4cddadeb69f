// jest setupFilesAfterEnv: each test file starts on its own store schema when the tests run on
// PostgreSQL, and closes its connections when it ends.
import { closeStores } from '../../src/store';
import { freshTestStore } from './test-store';

freshTestStore();

afterAll(async () => {
  await closeStores();
});
