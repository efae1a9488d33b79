package io.pixelwise.api.plugin;

/**
 * One name registered by a plugin: which kind, under which name, by which plugin class.
 * Collected for listing and for duplicate detection.
 */
public record Registration(ComponentKind kind, String name, String pluginClass) {}
