/** Usage analytics: requests counted per model, version and client (bounded). */
package io.mlserve.server.usage;
