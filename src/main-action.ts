// Entry point of the bundled Action (dist/index.js), run by the runner as `node dist/index.js`.
import { runAction } from "./action.ts";

process.exitCode = await runAction(process.env);
