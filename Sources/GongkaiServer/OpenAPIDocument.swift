/// The API's contract, `openapi.yaml`, compiled into the binary (SwiftPM `embedInCode`) and
/// served at `/v1/openapi.yaml`: a resource bundle would have to sit beside the installed
/// binary, and `Bundle.module` traps when it does not.
public enum OpenAPIDocument {
    public static func text() throws -> String {
        String(decoding: PackageResources.openapi_yaml, as: UTF8.self)
    }
}
