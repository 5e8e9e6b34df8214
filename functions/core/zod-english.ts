/**
 * zod's English messages for the schemas written with `zod/mini`. Classic zod sets its English
 * locale when it is imported; mini sets none, and every issue would then read "Invalid input"
 * instead of "Invalid input: expected string, received number". Every module that builds schemas
 * with `zod/mini` imports this one for its effect, so the messages are the same whichever of them
 * a function loads first, and whether classic zod is loaded too or not.
 */
import * as z from 'zod/mini';

z.config(z.locales.en());
