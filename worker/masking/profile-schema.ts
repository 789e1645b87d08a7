// Placeholder until the masking profiles land: a profile is an object whose
// shape the masking module defines. Kept strict so nothing half-configured passes.
import { z } from 'zod';

export const maskingProfileSchema = z.strictObject({});
export type MaskingProfile = z.infer<typeof maskingProfileSchema>;
