/** The TTL inputs of the create and prolong forms: whole hours within the limits, or never expire where allowed. */
import { CheckboxControl, TextControl } from '@wordpress/components';
import { __ } from '@wordpress/i18n';
import { fieldError } from '../api/errors';

interface Props {
	label: string;
	/** Shown under the hours while there is no problem to report. */
	hint: string;
	hours: string;
	onHours: ( value: string ) => void;
	never: boolean;
	onNever: ( value: boolean ) => void;
	maxHours: number;
	allowsNever: boolean;
	/** What is wrong with the hours as typed (checked before sending). */
	inputError: string | null;
	/** The sidecar's refusal, whose `data.params` may name `ttlHours` or `neverExpires`. */
	error: unknown;
}

export function TtlFields( { label, hint, hours, onHours, never, onNever, maxHours, allowsNever, inputError, error }: Props ) {
	return (
		<>
			<TextControl
				label={ label }
				type="number"
				min={ 1 }
				max={ maxHours }
				value={ hours }
				disabled={ never && allowsNever }
				onChange={ ( v: string ) => onHours( v ) }
				help={ fieldError( error, 'ttlHours' ) ?? inputError ?? hint }
				__next40pxDefaultSize
				__nextHasNoMarginBottom
			/>
			{ allowsNever && (
				<CheckboxControl
					label={ __( 'Never expire', 'support-provisioning-portal' ) }
					checked={ never }
					onChange={ onNever }
					help={ fieldError( error, 'neverExpires' ) }
					__nextHasNoMarginBottom
				/>
			) }
		</>
	);
}
