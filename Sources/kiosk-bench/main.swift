// A stand-in entry point so that kiosk-bench links while its driver is being written on main
// (with more than one file, an executable needs one). Replace it with the real driver and call
// runTouchBenchmarks() from there.
let touchFigures = try runTouchBenchmarks()
print(touchFigures)
