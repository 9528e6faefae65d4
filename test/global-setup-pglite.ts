import { setupPglite } from './global-setup.js';
export default setupPglite;
