import Foundation
import SpikeMeshCLI

// `spikemesh`: everything is in SpikeMeshCLI (parsing and printing) and the library.
exit(CLI.main(Array(CommandLine.arguments.dropFirst())))
