package io.pocketsync.examples.fleet;

/** What the dashboard knows about one sensor. */
record SensorSummary(String sensor, long readings, double minCelsius, double maxCelsius, double averageCelsius) {
    @Override
    public String toString() {
        return String.format(java.util.Locale.ROOT, "%-10s %4d readings  min %5.1f  avg %5.1f  max %5.1f °C",
                sensor, readings, minCelsius, averageCelsius, maxCelsius);
    }
}
