@_exported import SpikeMeshConversion
// The umbrella module: `import SpikeMesh` gives the whole library, stage by stage
// (Docs/Architecture.md lists the modules and what each may import).
@_exported import SpikeMeshCore
@_exported import SpikeMeshEmulation
@_exported import SpikeMeshEnergy
@_exported import SpikeMeshFormats
@_exported import SpikeMeshHardware
@_exported import SpikeMeshInference
@_exported import SpikeMeshMapping
@_exported import SpikeMeshModel
@_exported import SpikeMeshPipeline
@_exported import SpikeMeshReference
@_exported import SpikeMeshReports
