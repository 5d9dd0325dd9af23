/**
 * The dashboard's page: static HTML, CSS and JavaScript from the jar (and uPlot from its webjar)
 * served at {@code /ui/}; its JSON reads are in {@code http.admin.AdminDashboard}.
 */
package io.mlserve.server.http.ui;
