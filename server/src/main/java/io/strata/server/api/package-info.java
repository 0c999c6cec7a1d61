/**
 * The REST API, {@code /api/v1}: one class per resource ({@link io.strata.server.api.VolumesApi},
 * {@link io.strata.server.api.SnapshotsApi}, {@link io.strata.server.api.BackupsApi},
 * {@link io.strata.server.api.JobsApi}, {@link io.strata.server.api.SettingsApi}), each a thin
 * translation from HTTP to {@code io.strata.control} use cases: read the request, call control,
 * answer its view in {@link io.strata.server.api.ApiModel}'s shapes. Decisions about volumes,
 * snapshots and backups are made in control. {@code openapi.json} beside these classes describes
 * every route, and a test keeps the two equal.
 *
 * <p>May import: the JDK, Jackson, {@code io.strata.server.http}, {@code io.strata.domain},
 * {@code io.strata.control} and, for read-only views, the engine and the backupstore's formats.
 */
package io.strata.server.api;
