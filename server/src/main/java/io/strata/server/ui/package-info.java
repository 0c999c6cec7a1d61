/**
 * The web UI: plain HTML, CSS and JavaScript modules shipped as resources beside
 * {@link io.strata.server.ui.WebUi} (in {@code web/}), served at {@code /} and {@code /ui/{file}}
 * by the same HTTP server as the REST API, which the pages call. Nothing is built: the files are
 * served as they are written, and nothing is loaded from elsewhere.
 *
 * <p>May import: the JDK and {@code io.strata.server.http}.
 */
package io.strata.server.ui;
