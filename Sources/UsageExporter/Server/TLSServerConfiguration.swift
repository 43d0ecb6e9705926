import NIOSSL

extension WebConfiguration.TLS {
    /// The NIOSSL server configuration, or a configuration error naming the field whose file is unusable.
    public func makeServerConfiguration(file: String) throws(ConfigurationError) -> TLSConfiguration {
        func problem(_ key: String, _ message: String) -> ConfigurationError {
            ConfigurationError(problems: [ConfigurationProblem(file: file, path: "tls_server_config.\(key)", line: nil, message: message)])
        }
        let certificates: [NIOSSLCertificate]
        do {
            certificates = try NIOSSLCertificate.fromPEMFile(certificateFile)
        } catch {
            throw problem("cert_file", "\"\(certificateFile)\" holds no PEM certificate")
        }
        guard !certificates.isEmpty else { throw problem("cert_file", "\"\(certificateFile)\" holds no PEM certificate") }
        let key: NIOSSLPrivateKey
        do {
            key = try NIOSSLPrivateKey(file: keyFile, format: .pem)
        } catch {
            throw problem("key_file", "\"\(keyFile)\" holds no unencrypted PEM private key")
        }
        var configuration = TLSConfiguration.makeServerConfiguration(
            certificateChain: certificates.map { .certificate($0) },
            privateKey: .privateKey(key)
        )
        configuration.minimumTLSVersion =
            switch minimumVersion {
            case .tls10: .tlsv1
            case .tls11: .tlsv11
            case .tls12: .tlsv12
            case .tls13: .tlsv13
            }
        if let clientCAFile {
            do {
                let roots = try NIOSSLCertificate.fromPEMFile(clientCAFile)
                guard !roots.isEmpty else { throw problem("client_ca_file", "\"\(clientCAFile)\" holds no PEM certificate") }
                configuration.trustRoots = .certificates(roots)
            } catch let error as ConfigurationError {
                throw error
            } catch {
                throw problem("client_ca_file", "\"\(clientCAFile)\" holds no PEM certificate")
            }
        }
        configuration.certificateVerification =
            switch clientAuth {
            case .none: .none
            case .verifyIfGiven: .optionalVerification
            case .requireAndVerify: .noHostnameVerification
            }
        return configuration
    }
}
