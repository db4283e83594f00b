/** Where the sample starters live (the management routes are under MANAGEMENT_BASE_PATH). */
export const SAMPLE_STARTER_PATH = '/orchestrators';
