/** Memory figures of a step's own process (see child-step.ts). */
import { memoryUsage, resourceUsage } from 'node:process';

export const rssMb = (): number => memoryUsage().rss / 2 ** 20;
/** getrusage's maxRSS is in kilobytes. */
export const peakRssMb = (): number => resourceUsage().maxRSS / 1024;
