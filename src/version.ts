/** The version sent to the Market as X-Market-Integration and shown to operators. */
export const VERSION = '0.1.0';
