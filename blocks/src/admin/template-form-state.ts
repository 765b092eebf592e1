/** The template editor's text fields and their conversion to the Template object of api.md. */
import { __ } from '@wordpress/i18n';
import type { ProxmoxTemplate, Template, TemplateFields } from '../api/types';
import { parseWhole } from '../lib/numbers';

export interface TemplateForm {
	name: string;
	description: string;
	osType: string;
	proxmoxVmid: string;
	cores: string;
	memoryMb: string;
	diskGb: string;
	defaultTtlHours: string;
	/** empty = no maximum (never-expire allowed) */
	maxTtlHours: string;
	active: boolean;
}

export const formOfTemplate = ( t: Template ): TemplateForm => ( {
	name: t.name,
	description: t.description,
	osType: t.osType,
	proxmoxVmid: String( t.proxmoxVmid ),
	cores: String( t.cores ),
	memoryMb: String( t.memoryMb ),
	diskGb: String( t.diskGb ),
	defaultTtlHours: String( t.defaultTtlHours ),
	maxTtlHours: t.maxTtlHours === null ? '' : String( t.maxTtlHours ),
	active: t.active,
} );

/** A Proxmox template to import: its sizes, a default TTL of 8 h and no maximum until the admin sets one. */
export const formOfProxmoxTemplate = ( p: ProxmoxTemplate ): TemplateForm => ( {
	name: p.name,
	description: '',
	osType: p.osType ?? 'l26',
	proxmoxVmid: String( p.vmid ),
	cores: String( p.cores ),
	memoryMb: String( p.memoryMb ),
	diskGb: String( p.diskGb ),
	defaultTtlHours: '8',
	maxTtlHours: '',
	active: true,
} );

const NUMBER_FIELDS = [ 'proxmoxVmid', 'cores', 'memoryMb', 'diskGb', 'defaultTtlHours' ] as const;

/** The fields as the API wants them, or per-field messages for what is not a whole number. */
export function fieldsOfForm( f: TemplateForm ): { fields: TemplateFields } | { errors: Record< string, string > } {
	const errors: Record< string, string > = {};
	const numbers: Partial< Record< ( typeof NUMBER_FIELDS )[ number ], number > > = {};
	for ( const key of NUMBER_FIELDS ) {
		const n = parseWhole( f[ key ], 1 );
		if ( n === null ) {
			errors[ key ] = __( 'Enter a whole number.', 'support-provisioning-portal' );
		} else {
			numbers[ key ] = n;
		}
	}
	let maxTtlHours: number | null = null;
	if ( f.maxTtlHours.trim() !== '' ) {
		maxTtlHours = parseWhole( f.maxTtlHours, 1 );
		if ( maxTtlHours === null ) {
			errors.maxTtlHours = __( 'Enter a whole number of hours, or leave it empty for no maximum.', 'support-provisioning-portal' );
		}
	}
	if ( f.name.trim() === '' ) {
		errors.name = __( 'Required.', 'support-provisioning-portal' );
	}
	if ( Object.keys( errors ).length > 0 ) {
		return { errors };
	}
	return {
		fields: {
			name: f.name.trim(),
			description: f.description,
			osType: f.osType.trim(),
			proxmoxVmid: numbers.proxmoxVmid as number,
			cores: numbers.cores as number,
			memoryMb: numbers.memoryMb as number,
			diskGb: numbers.diskGb as number,
			defaultTtlHours: numbers.defaultTtlHours as number,
			maxTtlHours,
			active: f.active,
		},
	};
}
