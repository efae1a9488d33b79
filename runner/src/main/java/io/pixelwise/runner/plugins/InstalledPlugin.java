package io.pixelwise.runner.plugins;

import io.pixelwise.api.plugin.ApiVersion;
import java.nio.file.Path;
import java.util.List;

/**
 * A plugin from the plugins folder, checked and given its own class loader; none of its code has
 * run yet.
 *
 * @param location its jar, or its folder of jars, as found in the plugins folder
 * @param jars the jars its class loader reads
 * @param api the api version its jar declares it was built against
 * @param version its jar's {@code Implementation-Version}, or {@code -}
 * @param loader its class loader (see {@link PluginClassLoader})
 */
public record InstalledPlugin(Path location, List<Path> jars, ApiVersion api, String version, ClassLoader loader) {
  public InstalledPlugin {
    jars = List.copyOf(jars);
  }
}
